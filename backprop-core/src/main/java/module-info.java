/**
 * Backprop's library: tensors with reverse-mode automatic differentiation, layers, losses,
 * optimizers, the training loop, data loading, model files (safetensors), ONNX export, PyTorch
 * checkpoint import and thread-safe inference.
 *
 * <p>The kernels ({@code org.backprop.kernel}) are internal and not exported; {@code Window2d},
 * the window parameter of the convolution and pooling layers, is in the exported
 * {@code org.backprop.shape}. The Vector API ({@code jdk.incubator.vector}) is optional: with it
 * resolved ({@code --add-modules jdk.incubator.vector}) the kernels run their vector forms,
 * without it their scalar forms, and one log line says so.
 */
module org.backprop.core {
    requires transitive com.google.gson;   // LayerSpec.writeJson takes a Gson JsonObject
    requires org.slf4j;
    requires static jdk.incubator.vector;  // optional: the kernels' vector forms (see kernel.Simd)
    requires java.net.http;                 // FashionMnist downloads the data set when asked

    exports org.backprop.tensor;
    exports org.backprop.autograd;
    exports org.backprop.nn;
    exports org.backprop.loss;
    exports org.backprop.optim;
    exports org.backprop.train;
    exports org.backprop.data;
    exports org.backprop.audio;
    exports org.backprop.io;
    exports org.backprop.guard;
    exports org.backprop.io.onnx;
    exports org.backprop.io.torch;
    exports org.backprop.inference;
    exports org.backprop.text;
    exports org.backprop.shape;

    opens org.backprop.train to com.google.gson; // Checkpoint reads its records through Gson
}
