package org.backprop.io.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.backprop.io.ArchitectureSpec;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * Imports PyTorch checkpoints written by {@code torch.save(model.state_dict(), "x.pt")} (the zip
 * format of PyTorch 1.6 and later).
 *
 * <p>The pickle inside is read by a restricted unpickler that accepts only what a state dict
 * needs (the tensor and parameter rebuild functions, {@code collections.OrderedDict}, the storage
 * types) and refuses anything else by name, without running it: a checkpoint from an untrusted
 * source cannot execute code here. Storages of float32, float64, float16 and bfloat16 become
 * float32 (integer and bool storages too, for buffers such as {@code num_batches_tracked});
 * strided views and several tensors sharing one storage are read as PyTorch would.
 *
 * <pre>{@code
 * Sequential model = TorchCheckpoint.load(Path.of("x.pt"), architecture);   // names and shapes checked
 * Map<String, Tensor> state = TorchCheckpoint.readStateDict(Path.of("x.pt"));
 * }</pre>
 */
public final class TorchCheckpoint {
    private static final int MAX_ENTRIES = 1_000_000;
    private static final long MAX_PICKLE = 256L << 20;
    private static final int MAX_LISTED = 8;

    private TorchCheckpoint() {}

    /**
     * The tensors of a saved state dict, by name in the file's order, as float32 tensors.
     *
     * @throws TorchCheckpointException if the file is not a state-dict checkpoint, asks for any
     *                                  code, or its storages do not hold its tensors
     */
    public static Map<String, Tensor> readStateDict(Path file) throws IOException {
        Path where = file;
        if (!Files.isRegularFile(file)) throw new TorchCheckpointException(where, "no such file");
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = archivePrefix(zip, where);
            ByteOrder order = byteOrder(zip, prefix, where);
            Object root = Unpickler.load(readEntry(zip, prefix + "data.pkl", MAX_PICKLE, where), where);
            if (!(root instanceof Map<?, ?> map)) {
                throw new TorchCheckpointException(where, "holds a single value, not a state dict (save model.state_dict())");
            }
            List<String> notTensors = new ArrayList<>();
            Map<String, float[]> storages = new HashMap<>();
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof Unpickler.TensorRef t)) {
                    notTensors.add(String.valueOf(e.getKey()));
                    continue;
                }
                float[] storage = storages.get(t.storage().key());
                if (storage == null) {
                    storage = decode(zip, prefix, t.storage(), order, where);
                    storages.put(t.storage().key(), storage);
                }
                out.put(name, gather(storage, t, name, where));
            }
            if (!notTensors.isEmpty()) {
                throw new TorchCheckpointException(where, "entries " + listed(notTensors) + " are not tensors; this "
                        + "is not a plain state dict (save model.state_dict() alone, not a training checkpoint dict)");
            }
            return out;
        } catch (ZipException e) {
            throw new TorchCheckpointException(where, "not a torch.save zip file (" + e.getMessage()
                    + "); files saved by torch.save with _use_new_zipfile_serialization=False are not read");
        }
    }

    /**
     * A network of {@code architecture} holding the checkpoint's tensors, in evaluation mode.
     *
     * @throws TorchCheckpointException naming every tensor that is missing, left over or of the
     *                                  wrong shape
     */
    public static Sequential load(Path file, ArchitectureSpec architecture) throws IOException {
        Map<String, Tensor> state = readStateDict(file);
        Map<String, int[]> expected = architecture.stateShapes();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), wrongShape = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Tensor t = state.get(e.getKey());
            if (t == null) missing.add(e.getKey());
            else if (!Arrays.equals(t.shape(), e.getValue())) {
                wrongShape.add(e.getKey() + " " + Arrays.toString(t.shape()) + " (needs " + Arrays.toString(e.getValue()) + ")");
            }
        }
        for (String name : state.keySet()) if (!expected.containsKey(name)) unexpected.add(name);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrongShape.isEmpty()) {
            List<String> parts = new ArrayList<>();
            if (!missing.isEmpty()) parts.add("missing " + listed(missing));
            if (!unexpected.isEmpty()) parts.add("not in the architecture " + listed(unexpected));
            if (!wrongShape.isEmpty()) parts.add("wrong shape " + listed(wrongShape));
            throw new TorchCheckpointException(file, "the state dict does not match the architecture: "
                    + String.join("; ", parts) + " (the architecture's names: " + listed(List.copyOf(expected.keySet())) + ")");
        }
        Sequential model = architecture.build(new Random(0)); // every value is overwritten just below
        model.loadStateDict(state);
        model.eval();
        return model;
    }

    // ---------------------------------------------------------------- zip

    /** The folder all entries live in ({@code archive/} or the file's base name). */
    private static String archivePrefix(ZipFile zip, Path where) throws TorchCheckpointException {
        if (zip.size() > MAX_ENTRIES) throw new TorchCheckpointException(where, zip.size() + " zip entries is too many");
        String prefix = null;
        for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
            String name = it.nextElement().getName();
            if (name.endsWith("data.pkl") && name.indexOf('/') == name.length() - "data.pkl".length() - 1) {
                prefix = name.substring(0, name.length() - "data.pkl".length());
                break;
            }
        }
        if (prefix == null) throw new TorchCheckpointException(where, "a zip file without <folder>/data.pkl, so not a torch.save checkpoint");
        return prefix;
    }

    private static ByteOrder byteOrder(ZipFile zip, String prefix, Path where) throws IOException {
        if (zip.getEntry(prefix + "byteorder") == null) return ByteOrder.LITTLE_ENDIAN; // older writers: always little
        String order = new String(readEntry(zip, prefix + "byteorder", 16, where), StandardCharsets.US_ASCII).strip();
        return switch (order) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new TorchCheckpointException(where, "unknown byte order '" + order + "'");
        };
    }

    /** An entry's bytes, refusing more than {@code max} whatever the entry claims. */
    private static byte[] readEntry(ZipFile zip, String name, long max, Path where) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) throw new TorchCheckpointException(where, "the zip has no entry " + name);
        if (entry.getSize() > max) {
            throw new TorchCheckpointException(where, "entry " + name + " claims " + entry.getSize() + " bytes, more than " + max);
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] data = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8) + 1);
            if (data.length > max) throw new TorchCheckpointException(where, "entry " + name + " holds more than " + max + " bytes");
            return data;
        }
    }

    // ---------------------------------------------------------------- storages and views

    private static float[] decode(ZipFile zip, String prefix, Unpickler.StorageRef s, ByteOrder order, Path where)
            throws IOException {
        int size = switch (s.dtype()) {
            case "Double", "Long" -> 8;
            case "Float", "Int" -> 4;
            case "Half", "BFloat16", "Short" -> 2;
            case "Char", "Byte", "Bool" -> 1;
            default -> throw new TorchCheckpointException(where, "storage type " + s.dtype() + "Storage is not read");
        };
        if (s.numel() < 0 || s.numel() > Integer.MAX_VALUE - 8) {
            throw new TorchCheckpointException(where, "storage " + s.key() + " of " + s.numel() + " elements is too large");
        }
        int n = (int) s.numel();
        byte[] bytes = readEntry(zip, prefix + "data/" + s.key(), (long) n * size, where);
        if (bytes.length != (long) n * size) {
            throw new TorchCheckpointException(where, "storage " + s.key() + " (" + s.dtype() + ", " + n
                    + " elements) has " + bytes.length + " bytes, expected " + (long) n * size);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (s.dtype()) {
                case "Float" -> b.getFloat();
                case "Double" -> (float) b.getDouble();
                case "Half" -> Float.float16ToFloat(b.getShort());
                case "BFloat16" -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16); // the upper half of a float32
                case "Long" -> (float) b.getLong();
                case "Int" -> (float) b.getInt();
                case "Short" -> (float) b.getShort();
                case "Char" -> (float) b.get();
                case "Byte", "Bool" -> (float) (b.get() & 0xff);
                default -> throw new AssertionError(s.dtype());
            };
        }
        return out;
    }

    /** The view's elements in row-major order, after checking they all lie inside the storage. */
    private static Tensor gather(float[] storage, Unpickler.TensorRef t, String name, Path where)
            throws TorchCheckpointException {
        int rank = t.size().length;
        int[] shape = new int[rank];
        long numel = 1, last = t.offset();
        for (int i = 0; i < rank; i++) {
            if (t.size()[i] < 0 || t.size()[i] > Integer.MAX_VALUE || t.stride()[i] < 0) {
                throw new TorchCheckpointException(where, "tensor '" + name + "' has size " + Arrays.toString(t.size())
                        + " and strides " + Arrays.toString(t.stride()));
            }
            shape[i] = (int) t.size()[i];
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE - 8) throw new TorchCheckpointException(where, "tensor '" + name + "' is too large");
            if (shape[i] > 0) last += (shape[i] - 1) * t.stride()[i];
        }
        if (numel > 0 && (t.offset() < 0 || last >= storage.length)) {
            throw new TorchCheckpointException(where, "tensor '" + name + "' " + Arrays.toString(t.size()) + " at offset "
                    + t.offset() + " with strides " + Arrays.toString(t.stride()) + " reaches element " + last
                    + " of a storage of " + storage.length);
        }
        float[] data = new float[(int) numel];
        int[] index = new int[rank];
        for (int k = 0; k < numel; k++) {
            long pos = t.offset();
            for (int i = 0; i < rank; i++) pos += index[i] * t.stride()[i];
            data[k] = storage[(int) pos];
            for (int i = rank - 1; i >= 0; i--) { // next index, last axis fastest
                if (++index[i] < shape[i]) break;
                index[i] = 0;
            }
        }
        return Tensor.of(data, shape);
    }

    private static String listed(List<String> names) {
        if (names.size() <= MAX_LISTED) return String.join(", ", names);
        return String.join(", ", names.subList(0, MAX_LISTED)) + " and " + (names.size() - MAX_LISTED) + " more";
    }
}
