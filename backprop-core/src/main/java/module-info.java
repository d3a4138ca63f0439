/**
 * Backprop's library: tensors with reverse-mode automatic differentiation, layers, losses,
 * optimizers, the training loop, data loading, model files (safetensors), ONNX export, PyTorch
 * checkpoint import and thread-safe inference.
 *
 * <p>{@code org.backprop.kernel} is exported because {@code Window2d}, the window parameter of
 * the convolution and pooling layers, lives there, and the command line reads the kernel settings
 * (threads, vector width, BLAS engine); its other classes are internal and may change in any
 * release. The kernels need {@code jdk.incubator.vector}, which this module requires.
 */
module org.backprop.core {
    requires transitive com.google.gson;   // LayerSpec.writeJson takes a Gson JsonObject
    requires org.slf4j;
    requires jdk.incubator.vector;
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
    exports org.backprop.kernel;

    opens org.backprop.train to com.google.gson; // Checkpoint reads its records through Gson
}
