package org.backprop.spark;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A supplier Spark can ship to executors: {@code SerializableSupplier<Module> f = () -> mlp(seed)}
 * is serialisable as long as what the lambda captures is.
 */
@FunctionalInterface
public interface SerializableSupplier<T> extends Supplier<T>, Serializable {}
