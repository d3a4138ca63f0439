package org.backprop.module;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The API compatibility check of {@code ./mvnw verify}: the public API of backprop-core (every
 * public and protected class, constructor, method and field of the packages module-info exports)
 * must still contain everything recorded in {@code backprop-core/api/backprop-core.api}.
 *
 * <p>The baseline: no version has been released yet, so there is no earlier jar on Maven Central
 * for japicmp to compare with. The recorded snapshot stands in for it: it was written from the
 * code of this version, and a removed or changed signature fails the build, naming it, while
 * additions pass (and are listed, so the snapshot can be refreshed). After the first release the
 * same role belongs to japicmp against the released jar. To record the current API on purpose
 * (an intended break, before 1.0), run this test with {@code -Dbackprop.api.update=true}.
 */
class ApiCompatibilityTest {
    private static final Path SNAPSHOT = Path.of("api", "backprop-core.api");

    @Test
    void thePublicApiKeepsEverySignatureOfTheRecordedSnapshot() throws Exception {
        TreeSet<String> current = currentApi();
        if (Boolean.getBoolean("backprop.api.update")) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.write(SNAPSHOT, current);
            return;
        }
        assertTrue(Files.exists(SNAPSHOT), SNAPSHOT + " is missing: record it with -Dbackprop.api.update=true");
        TreeSet<String> recorded = new TreeSet<>(Files.readAllLines(SNAPSHOT));
        List<String> removed = new ArrayList<>(recorded);
        removed.removeAll(current);
        List<String> added = new ArrayList<>(current);
        added.removeAll(recorded);
        if (!added.isEmpty()) {
            System.out.println("API additions since " + SNAPSHOT + " (compatible; refresh it with "
                    + "-Dbackprop.api.update=true): " + added.size());
        }
        if (!removed.isEmpty()) {
            fail(removed.size() + " signatures of " + SNAPSHOT + " are gone or changed (an incompatible change): "
                    + String.join("; ", removed.subList(0, Math.min(10, removed.size())))
                    + (removed.size() > 10 ? " ..." : ""));
        }
    }

    /** One line per public type and member: {@code org.backprop.nn.Linear: public Linear(int,int,java.util.Random)}. */
    static TreeSet<String> currentApi() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        TreeSet<String> api = new TreeSet<>();
        for (ModuleDescriptor.Exports e : module.exports()) {
            if (e.isQualified()) continue;
            Path dir = classes.resolve(e.source().replace('.', '/'));
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(f -> f.toString().endsWith(".class")).sorted().toList();
            }
            for (Path f : files) {
                String name = e.source() + "." + f.getFileName().toString().replace(".class", "");
                Class<?> c = Class.forName(name, false, ApiCompatibilityTest.class.getClassLoader());
                if (visible(c)) describe(c, api);
            }
        }
        return api;
    }

    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) && !Modifier.isProtected(k.getModifiers())) return false;
            if (k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) return false;
        }
        return true;
    }

    private static void describe(Class<?> c, TreeSet<String> api) {
        String owner = c.getName() + ": ";
        api.add(owner + c.toGenericString()
                + (c.getGenericSuperclass() == null || c.getSuperclass() == Object.class || c.isEnum() || c.isRecord() ? ""
                : " extends " + c.getGenericSuperclass().getTypeName())
                + (c.getGenericInterfaces().length == 0 ? "" : " implements "
                + String.join(", ", Stream.of(c.getGenericInterfaces()).map(java.lang.reflect.Type::getTypeName).toList())));
        for (Constructor<?> k : c.getDeclaredConstructors()) if (exposed(k)) api.add(owner + k.toGenericString());
        for (Method m : c.getDeclaredMethods()) if (exposed(m) && !m.isBridge()) api.add(owner + m.toGenericString());
        for (Field f : c.getDeclaredFields()) if (exposed(f)) api.add(owner + f.toGenericString());
    }

    private static boolean exposed(Member m) {
        return !m.isSynthetic() && (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()));
    }
}
