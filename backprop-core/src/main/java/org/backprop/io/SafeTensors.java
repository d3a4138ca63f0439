package org.backprop.io;

import org.backprop.guard.InputLimits;
import org.backprop.guard.Untrusted;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.backprop.tensor.Tensor;

/**
 * Reads and writes the safetensors format, the tensor file format of Hugging Face, PyTorch and
 * most other frameworks.
 *
 * <p>Layout: 8 bytes holding N, the header length, as a little-endian unsigned integer; N bytes
 * of UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin,
 * end]}} (offsets relative to the first byte after the header), plus an optional
 * {@code "__metadata__"} object of string values; then the tensors' raw little-endian bytes in
 * row-major order. The byte ranges must tile the data exactly: no holes, no overlaps, nothing
 * after the last tensor.
 *
 * <p>Writing produces F32 tensors in the order of the given map, metadata sorted by key (so
 * equal contents give equal bytes), with the header padded with
 * spaces so that the data starts at a multiple of 8 bytes, and goes through {@link AtomicFiles}.
 * Reading accepts F32, F16, BF16 and F64 (converted to float) and keeps the header's order.
 *
 * <p>Files are treated as untrusted: every length and offset is checked with overflow-safe
 * arithmetic against the others and against the file size before anything is allocated, and a
 * bad file fails with a {@link SafeTensorsFormatException} naming the file and the problem.
 */
public final class SafeTensors {
    /** Largest header accepted, as in the reference implementation: no real header comes close. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /** The reserved header key for the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int ALIGNMENT = 8;
    private static final int CHUNK_BYTES = 1 << 20; // a multiple of every element size

    /** Valid safetensors dtypes that Backprop does not convert, to tell them from typos. */
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64",
            "U64", "C64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4");

    private SafeTensors() {}

    /** The element types Backprop reads; every one is converted to float32. */
    public enum DType {
        F64(8), F32(4), F16(2), BF16(2);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** Size of one element in bytes. */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One header entry, as declared by the file (after validation).
     *
     * @param shape the declared shape; {@code []} for a scalar
     * @param begin first byte, relative to the start of the data
     * @param end   one past the last byte, relative to the start of the data
     */
    public record TensorInfo(DType dtype, long[] shape, long begin, long end) {
        public TensorInfo {
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && dtype == t.dtype && Arrays.equals(shape, t.shape) && begin == t.begin
                    && end == t.end;
        }

        @Override
        public int hashCode() {
            return Objects.hash(dtype, Arrays.hashCode(shape), begin, end);
        }

        @Override
        public String toString() {
            return "TensorInfo[" + dtype + " " + Arrays.toString(shape) + " bytes " + begin + ".." + end + "]";
        }
    }

    /**
     * A validated header.
     *
     * @param tensors   entries in header order
     * @param metadata  the {@code __metadata__} strings (empty when absent), in header order
     * @param dataStart absolute file position of the first data byte (8 + header length)
     */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {
        public Header {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * The content of a file.
     *
     * @param tensors  float32 tensors in header order
     * @param metadata the {@code __metadata__} strings (empty when absent)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensors} as F32 with no metadata. See {@link #write(Path, Map, Map)}. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Atomically writes {@code tensors} (as F32, in the map's iteration order) and
     * {@code metadata} to {@code file}, replacing it if it exists.
     *
     * @throws IllegalArgumentException if a name is empty or {@code __metadata__}, a name or
     *                                  metadata string is not valid Unicode, or the header would
     *                                  exceed {@link #MAX_HEADER_BYTES}
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> entries = List.copyOf(tensors.entrySet()); // one consistent snapshot
        byte[] header = encodeHeader(entries, metadata);
        AtomicFiles.write(file, ch -> {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            AtomicFiles.writeFully(ch, prefix);
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, Tensor> e : entries) writeData(ch, e.getValue(), chunk);
        });
    }

    /** The JSON header, padded with spaces so that 8 + its length is a multiple of 8. */
    static byte[] encodeHeader(List<Map.Entry<String, Tensor>> entries, Map<String, String> metadata) {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            w.setHtmlSafe(false);
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name(METADATA_KEY).beginObject();
                // Sorted by key: the same content gives the same bytes whatever map the caller built
                // (Map.of's iteration order changes from one JVM run to the next).
                List<Map.Entry<String, String>> sorted = new ArrayList<>(metadata.entrySet());
                sorted.sort(Map.Entry.comparingByKey(Comparator.nullsFirst(Comparator.naturalOrder())));
                for (Map.Entry<String, String> m : sorted) {
                    w.name(Objects.requireNonNull(m.getKey(), "metadata key"))
                            .value(Objects.requireNonNull(m.getValue(), () -> "metadata value of " + m.getKey()));
                }
                w.endObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> e : entries) {
                String name = Objects.requireNonNull(e.getKey(), "tensor name");
                Tensor t = Objects.requireNonNull(e.getValue(), () -> "tensor " + name);
                if (name.isEmpty() || name.equals(METADATA_KEY)) {
                    throw new IllegalArgumentException("safetensors: invalid tensor name '" + name + "'");
                }
                long bytes = (long) t.numel() * DType.F32.bytes();
                w.name(name).beginObject();
                w.name("dtype").value(DType.F32.name());
                w.name("shape").beginArray();
                for (int d : t.shape()) w.value(d);
                w.endArray();
                w.name("data_offsets").beginArray().value(offset).value(offset + bytes).endArray();
                w.endObject();
                offset += bytes;
            }
            w.endObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string cannot fail", e);
        }
        byte[] json;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(out.toString()));
            json = new byte[encoded.remaining()];
            encoded.get(json);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("safetensors: a tensor name or metadata string is not valid Unicode "
                    + "(unpaired surrogate)", e);
        }
        int padded = (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (padded > MAX_HEADER_BYTES) { // readers, this one included, would refuse the file
            throw new IllegalArgumentException("safetensors: the header would take " + padded + " bytes, over the "
                    + MAX_HEADER_BYTES + "-byte limit readers accept; store less metadata");
        }
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeData(FileChannel ch, Tensor t, ByteBuffer chunk) throws IOException {
        int n = t.numel();
        float[] src;
        int from;
        if (t.isContiguous()) {
            src = t.array(); // no copy for the usual dense parameter
            from = t.offset();
        } else {
            src = t.toFloatArray();
            from = 0;
        }
        int perChunk = chunk.capacity() / Float.BYTES;
        for (int done = 0; done < n; ) {
            int count = Math.min(perChunk, n - done);
            chunk.clear();
            chunk.asFloatBuffer().put(src, from + done, count);
            chunk.limit(count * Float.BYTES);
            AtomicFiles.writeFully(ch, chunk);
            done += count;
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads every tensor (converted to float32) and the metadata of {@code file}. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, ch);
            // Every dtype becomes float32: F16 and BF16 take twice their file size in memory.
            long floats = 0;
            for (TensorInfo info : header.tensors().values()) floats += (info.end() - info.begin()) / info.dtype().bytes();
            InputLimits.checkBytes(file.toString(), "the tensors as float32", floats * Float.BYTES);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer chunk = null;
            for (Map.Entry<String, TensorInfo> e : header.tensors().entrySet()) {
                TensorInfo info = e.getValue();
                int[] shape = backpropShape(file, e.getKey(), info.shape());
                float[] values = new float[numel(shape)];
                if (values.length > 0) {
                    if (chunk == null) chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    readData(file, ch, header.dataStart() + info.begin(), info.dtype(), values, chunk);
                }
                tensors.put(e.getKey(), Tensor.wrap(values, shape));
            }
            return new Contents(tensors, header.metadata());
        }
    }

    /** Reads and validates only the header of {@code file}: names, dtypes, shapes and metadata. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new SafeTensorsFormatException(file, "file has " + fileSize + " bytes, shorter than the 8-byte "
                    + "header length");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, prefix, 0);
        long n = prefix.getLong(0); // unsigned: a negative value is above 2^63
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsFormatException(file, "header length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n > fileSize - 8) {
            throw new SafeTensorsFormatException(file, "header length " + n + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        if (n < 2) {
            throw new SafeTensorsFormatException(file, "header length " + n + " is too short for a JSON object");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBytes, 8);
        long dataStart = 8 + n;
        long dataSize = fileSize - dataStart;
        Header header = parseHeader(file, headerBytes.array(), dataStart);
        checkLayout(file, header.tensors(), dataSize);
        return header;
    }

    private static Header parseHeader(Path file, byte[] bytes, long dataStart) throws SafeTensorsFormatException {
        if (bytes[0] != '{') {
            throw new SafeTensorsFormatException(file, "header does not start with '{' (first byte 0x"
                    + String.format("%02x", bytes[0] & 0xff) + ")");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsFormatException(file, "header is not valid UTF-8", e);
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = null;
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            expect(file, r, JsonToken.BEGIN_OBJECT, "the header");
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals(METADATA_KEY)) {
                    if (metadata != null) throw new SafeTensorsFormatException(file, "duplicate " + METADATA_KEY);
                    metadata = parseMetadata(file, r);
                } else {
                    if (tensors.containsKey(name)) {
                        throw new SafeTensorsFormatException(file, "duplicate tensor name " + quote(name));
                    }
                    tensors.put(name, parseEntry(file, r, name));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new SafeTensorsFormatException(file, "unexpected content after the header object");
            }
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new SafeTensorsFormatException(file, "malformed JSON header: " + Json.problem(e), e);
        }
        return new Header(tensors, metadata == null ? Map.of() : metadata, dataStart);
    }

    private static Map<String, String> parseMetadata(Path file, JsonReader r) throws IOException {
        expect(file, r, JsonToken.BEGIN_OBJECT, METADATA_KEY);
        Map<String, String> metadata = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw new SafeTensorsFormatException(file, METADATA_KEY + " value of " + quote(key)
                        + " must be a string, found " + describe(r.peek()));
            }
            if (metadata.put(key, r.nextString()) != null) {
                throw new SafeTensorsFormatException(file, "duplicate " + METADATA_KEY + " key " + quote(key));
            }
        }
        r.endObject();
        return metadata;
    }

    private static TensorInfo parseEntry(Path file, JsonReader r, String name) throws IOException {
        String where = "tensor " + quote(name);
        expect(file, r, JsonToken.BEGIN_OBJECT, where);
        String dtypeName = null;
        List<Long> shape = null;
        List<Long> offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            boolean duplicate = switch (key) {
                case "dtype" -> {
                    boolean dup = dtypeName != null;
                    expect(file, r, JsonToken.STRING, where + " dtype");
                    dtypeName = r.nextString();
                    yield dup;
                }
                case "shape" -> {
                    boolean dup = shape != null;
                    shape = parseIntegers(file, r, where + " shape");
                    yield dup;
                }
                case "data_offsets" -> {
                    boolean dup = offsets != null;
                    offsets = parseIntegers(file, r, where + " data_offsets");
                    yield dup;
                }
                default -> {
                    r.skipValue(); // other writers may add fields; they do not change the layout
                    yield false;
                }
            };
            if (duplicate) throw new SafeTensorsFormatException(file, where + " has a duplicate \"" + key + "\"");
        }
        r.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            throw new SafeTensorsFormatException(file, where + " lacks \""
                    + (dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets") + "\"");
        }
        DType dtype = dtype(file, where, dtypeName);
        if (offsets.size() != 2) {
            throw new SafeTensorsFormatException(file, where + " data_offsets must be [begin, end], found "
                    + offsets.size() + " numbers");
        }
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (end < begin) {
            throw new SafeTensorsFormatException(file, where + " data_offsets [" + begin + ", " + end
                    + "] end before they begin");
        }
        long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
        long bytes;
        try {
            long count = 1;
            for (long d : dims) count = Math.multiplyExact(count, d);
            bytes = Math.multiplyExact(count, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafeTensorsFormatException(file, where + " shape " + Arrays.toString(dims)
                    + " declares more bytes than a 64-bit size can hold");
        }
        if (end - begin != bytes) {
            throw new SafeTensorsFormatException(file, where + " shape " + Arrays.toString(dims) + " of " + dtype
                    + " needs " + bytes + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(dtype, dims, begin, end);
    }

    private static DType dtype(Path file, String where, String name) throws SafeTensorsFormatException {
        for (DType d : DType.values()) if (d.name().equals(name)) return d;
        if (OTHER_DTYPES.contains(name)) {
            throw new SafeTensorsFormatException(file, where + " has dtype " + name
                    + ", which Backprop does not read (supported: F32, F16, BF16, F64)");
        }
        throw new SafeTensorsFormatException(file, where + " has unknown dtype " + quote(name));
    }

    /** A JSON array of non-negative integers, each read from its literal so 1.5, -1 or 1e3 are refused. */
    private static List<Long> parseIntegers(Path file, JsonReader r, String what) throws IOException {
        expect(file, r, JsonToken.BEGIN_ARRAY, what);
        List<Long> out = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            JsonToken token = r.peek();
            if (token != JsonToken.NUMBER) {
                throw new SafeTensorsFormatException(file, what + " entries must be non-negative integers, found "
                        + describe(token));
            }
            String literal = r.nextString();
            if (literal.isEmpty() || !literal.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new SafeTensorsFormatException(file, what + " entries must be non-negative integers, found "
                        + quote(literal));
            }
            try {
                out.add(Long.parseLong(literal));
            } catch (NumberFormatException e) {
                throw new SafeTensorsFormatException(file, what + " entry " + quote(literal) + " is too large");
            }
        }
        r.endArray();
        return out;
    }

    private static void expect(Path file, JsonReader r, JsonToken token, String what) throws IOException {
        JsonToken found = r.peek();
        if (found != token) {
            throw new SafeTensorsFormatException(file, what + " must be a JSON " + describe(token) + ", found "
                    + describe(found));
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case BEGIN_OBJECT -> "object";
            case BEGIN_ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> token.toString();
        };
    }

    /** The byte ranges must tile [0, dataSize) exactly, as the format requires. */
    private static void checkLayout(Path file, Map<String, TensorInfo> tensors, long dataSize)
            throws SafeTensorsFormatException {
        List<Map.Entry<String, TensorInfo>> byOffset = new ArrayList<>(tensors.entrySet());
        byOffset.sort(Comparator.comparingLong((Map.Entry<String, TensorInfo> e) -> e.getValue().begin())
                .thenComparingLong(e -> e.getValue().end()));
        long covered = 0;
        String previous = null;
        for (Map.Entry<String, TensorInfo> e : byOffset) {
            TensorInfo t = e.getValue();
            if (t.end() > dataSize) {
                throw new SafeTensorsFormatException(file, "tensor " + quote(e.getKey()) + " data_offsets ["
                        + t.begin() + ", " + t.end() + "] run past the end of the data (" + dataSize + " bytes)");
            }
            if (t.begin() < covered) {
                throw new SafeTensorsFormatException(file, "tensor " + quote(e.getKey()) + " data_offsets ["
                        + t.begin() + ", " + t.end() + "] overlap tensor " + quote(previous) + " (which ends at "
                        + covered + ")");
            }
            if (t.begin() > covered) {
                throw new SafeTensorsFormatException(file, "bytes " + covered + ".." + t.begin()
                        + " of the data belong to no tensor (a hole before tensor " + quote(e.getKey()) + ")");
            }
            covered = t.end();
            previous = e.getKey();
        }
        if (covered != dataSize) {
            throw new SafeTensorsFormatException(file, "the tensors cover " + covered + " bytes but the file has "
                    + dataSize + " bytes of data after the header");
        }
    }

    /** Backprop tensors have int dimensions and at most 2^31-1 elements. */
    private static int[] backpropShape(Path file, String name, long[] dims) throws SafeTensorsFormatException {
        int[] shape = new int[dims.length];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            count *= dims[i]; // cannot overflow: validated against the file size
            if (dims[i] > Integer.MAX_VALUE || count > Integer.MAX_VALUE) {
                throw new SafeTensorsFormatException(file, "tensor " + quote(name) + " shape " + Arrays.toString(dims)
                        + " is larger than a Backprop tensor can hold (2^31-1 elements)");
            }
            shape[i] = (int) dims[i];
        }
        return shape;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    private static void readData(Path file, FileChannel ch, long position, DType dtype, float[] out, ByteBuffer chunk)
            throws IOException {
        int perChunk = chunk.capacity() / dtype.bytes();
        for (int done = 0; done < out.length; ) {
            int count = Math.min(perChunk, out.length - done);
            chunk.clear().limit(count * dtype.bytes());
            readFully(file, ch, chunk, position + (long) done * dtype.bytes());
            chunk.flip();
            switch (dtype) {
                case F32 -> chunk.asFloatBuffer().get(out, done, count);
                case F64 -> {
                    var b = chunk.asDoubleBuffer();
                    for (int i = 0; i < count; i++) out[done + i] = (float) b.get(i);
                }
                case F16 -> {
                    var b = chunk.asShortBuffer();
                    for (int i = 0; i < count; i++) out[done + i] = Float.float16ToFloat(b.get(i));
                }
                case BF16 -> {
                    // bfloat16 is the upper half of a float32
                    var b = chunk.asShortBuffer();
                    for (int i = 0; i < count; i++) out[done + i] = Float.intBitsToFloat((b.get(i) & 0xffff) << 16);
                }
            }
            done += count;
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new SafeTensorsFormatException(file, "file ended at byte " + pos
                        + " (was it truncated while being read?)");
            }
            pos += n;
        }
    }

    /** A name for an error message, shortened and escaped so a hostile header cannot flood or drive the terminal. */
    private static String quote(String s) {
        return Untrusted.quote(s);
    }
}
