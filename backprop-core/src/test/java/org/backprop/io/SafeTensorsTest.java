package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------- round trips

    @Test
    void roundTripKeepsOrderShapesAndExactBits() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        // deliberately not sorted: the map's order must survive
        tensors.put("z.weight", Tensor.of(new float[] {1f, -2.5f, Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MIN_VALUE},
                2, 3));
        tensors.put("scalar", Tensor.scalar(3.25f));
        tensors.put("empty", Tensor.zeros(0));
        tensors.put("empty2d", Tensor.zeros(2, 0));
        tensors.put("a", Tensor.arange(7));
        tensors.put("cube", Tensor.arange(24).reshape(2, 3, 4));
        tensors.put("transposed", Tensor.arange(6).reshape(2, 3).t()); // a non-contiguous view
        tensors.put("ünïcode/名前", Tensor.of(new float[] {42f}, 1));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("note", "quotes \" and <html> & ünïcode");

        Path file = dir.resolve("t.safetensors");
        SafeTensors.write(file, tensors, metadata);
        SafeTensors.Contents back = SafeTensors.read(file);

        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.tensors().keySet()));
        for (var e : tensors.entrySet()) {
            Tensor got = back.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertArrayEquals(bits(e.getValue().toFloatArray()), bits(got.toFloatArray()), e.getKey());
        }
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, back.tensors().get("transposed").toFloatArray());
        assertEquals(metadata, back.metadata());
        assertEquals(List.copyOf(metadata.keySet()), List.copyOf(back.metadata().keySet()));
    }

    @Test
    void largeTensorSpanningSeveralBuffersRoundTrips() throws IOException {
        int n = (1 << 20) / 4 * 3 + 17; // three staging chunks and a bit
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5f - 7f;
        Path file = dir.resolve("big.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.wrap(v, n)));
        assertArrayEquals(v, SafeTensors.read(file).tensors().get("w").toFloatArray());
    }

    @Test
    void emptyFileWithOnlyMetadataAndWithNothing() throws IOException {
        Path a = dir.resolve("a.safetensors");
        SafeTensors.write(a, Map.of(), Map.of("k", "v"));
        assertEquals(Map.of("k", "v"), SafeTensors.read(a).metadata());
        assertTrue(SafeTensors.read(a).tensors().isEmpty());
        Path b = dir.resolve("b.safetensors");
        SafeTensors.write(b, Map.of());
        assertEquals("{}      ", header(b)); // padded to 8 bytes
        assertTrue(SafeTensors.read(b).metadata().isEmpty());
    }

    // ---------------------------------------------------------------- bytes on disk

    @Test
    void writtenBytesFollowTheFormat() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.of(new float[] {1f, -2f}, 2));
        tensors.put("a", Tensor.of(new float[] {0.5f, 3f, 4f, 5f, 6f, 7f}, 3, 2));
        Path file = dir.resolve("f.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(file);

        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
        assertEquals(8 + n + 8 * 4, bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals('{', header.charAt(0));
        String json = header.stripTrailing();
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), "padding is spaces");
        assertTrue(header.length() - json.length() < 8);

        JsonObject h = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(List.of("__metadata__", "b", "a"), List.copyOf(h.keySet()));
        assertEquals("pt", h.getAsJsonObject("__metadata__").get("format").getAsString());
        JsonObject b = h.getAsJsonObject("b");
        assertEquals("F32", b.get("dtype").getAsString());
        assertEquals(ints(2), b.getAsJsonArray("shape"));
        assertEquals(ints(0, 8), b.getAsJsonArray("data_offsets"));
        assertEquals(ints(3, 2), h.getAsJsonObject("a").getAsJsonArray("shape"));
        assertEquals(ints(8, 32), h.getAsJsonObject("a").getAsJsonArray("data_offsets"));

        int data = (int) (8 + n);
        // 1.0f = 0x3F800000 and -2.0f = 0xC0000000, least significant byte first
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0},
                java.util.Arrays.copyOfRange(bytes, data, data + 8));
        // 0.5f = 0x3F000000
        assertArrayEquals(new byte[] {0, 0, 0, 0x3F}, java.util.Arrays.copyOfRange(bytes, data + 8, data + 12));
    }

    @Test
    void readsHandBuiltFileWithOtherFloatTypesAndNoPadding() throws IOException {
        // Written by hand the way another writer might: no padding, unaligned, keys in any order.
        String header = "{\"h\":{\"shape\":[3],\"dtype\":\"F16\",\"data_offsets\":[0,6]},"
                + "\"__metadata__\":{\"who\":\"hand\"},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10],\"extra\":{\"ignored\":[1,2]}},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[10,18]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[18,22]}}";
        ByteBuffer data = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3800); // F16 1, -2, 0.5
        data.putShort((short) 0x3F80).putShort((short) 0xC020);                          // BF16 1, -2.5
        data.putDouble(0.1);
        data.putFloat(-7.75f);
        Path file = write("hand.safetensors", header, data.array());

        SafeTensors.Contents c = SafeTensors.read(file);
        assertEquals(List.of("h", "b", "d", "f"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, c.tensors().get("h").toFloatArray());
        assertArrayEquals(new float[] {1f, -2.5f}, c.tensors().get("b").toFloatArray());
        assertArrayEquals(new int[0], c.tensors().get("d").shape());
        assertEquals((float) 0.1, c.tensors().get("d").item());
        assertArrayEquals(new int[] {1, 1}, c.tensors().get("f").shape());
        assertEquals(-7.75f, c.tensors().get("f").item());
        assertEquals(Map.of("who", "hand"), c.metadata());

        SafeTensors.Header h = SafeTensors.readHeader(file);
        assertEquals(new SafeTensors.TensorInfo(SafeTensors.DType.BF16, new long[] {2}, 6, 10), h.tensors().get("b"));
        assertEquals(8 + header.length(), h.dataStart());
    }

    @Test
    void zeroLengthTensorsMaySitAnywhereInTheLayout() throws IOException {
        String header = "{\"e\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[4,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"e2\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
        Path file = write("z.safetensors", header, floats(9f));
        SafeTensors.Contents c = SafeTensors.read(file);
        assertArrayEquals(new int[] {2, 0}, c.tensors().get("e").shape());
        assertEquals(9f, c.tensors().get("x").item());
    }

    // ---------------------------------------------------------------- hostile and damaged files

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        assertBad(raw("empty", new byte[0]), "shorter than the 8-byte");
        assertBad(raw("five", new byte[5]), "file has 5 bytes");
    }

    @Test
    void headerLengthBeyondTheFileOrAbsurd() throws IOException {
        assertBad(withLength("beyond", 1000, "{}"), "runs past the end of the file");
        assertBad(withLength("huge", 1L << 40, "{}"), "exceeds the limit");
        assertBad(withLength("cap", SafeTensors.MAX_HEADER_BYTES + 1, "{}"), "exceeds the limit");
        assertBad(withLength("unsigned", -1L, "{}"), "18446744073709551615 exceeds the limit");
        assertBad(withLength("zero", 0, ""), "too short");
    }

    @Test
    void malformedHeaders() throws IOException {
        assertBad(write("trunc", "{\"a\":", new byte[0]), "malformed JSON");
        assertBad(write("array", "[1]", new byte[0]), "does not start with '{'");
        assertBad(write("garbage", "{}x", new byte[0]), "malformed JSON header: syntax error at line 1 column 4");
        String m = assertThrows(IOException.class, () -> SafeTensors.read(dir.resolve("garbage"))).getMessage();
        assertFalse(m.contains("LENIENT") || m.contains("http"), "no advice meant for programmers: " + m);
        assertBad(write("two", "{} {}", new byte[0]), "malformed JSON");
        assertBad(write("nulpad", "{}\0\0", new byte[0]), "malformed JSON");
        assertBad(write("comment", "{/*x*/}", new byte[0]), "malformed JSON");
        assertBad(write("single", "{'a':1}", new byte[0]), "malformed JSON");
        assertBad(write("entry", "{\"a\":3}", new byte[0]), "tensor 'a' must be a JSON object, found number");
        assertBad(write("meta", "{\"__metadata__\":{\"k\":1}}", new byte[0]), "must be a string, found number");
        assertBad(write("metaobj", "{\"__metadata__\":[]}", new byte[0]), "__metadata__ must be a JSON object");
        assertBad(write("dupname", "{\"a\":" + f32(0, 0) + ",\"a\":" + f32(0, 0) + "}", new byte[0]),
                "duplicate tensor name 'a'");
        assertBad(write("dupmeta", "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", new byte[0]), "duplicate");
        assertBad(write("dupfield", "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}",
                new byte[0]), "duplicate \"dtype\"");
        assertBad(write("missing", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0]}}", new byte[0]), "lacks \"data_offsets\"");
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertBad(write("deep", "{\"a\":{\"x\":" + deep + ",\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}",
                new byte[0]), "Nesting limit");

        byte[] notUtf8 = {'{', '"', (byte) 0xC3, '"', ':', '1', '}'};
        Path file = dir.resolve("latin1");
        Files.write(file, concat(prefix(notUtf8.length), notUtf8));
        assertBad(file, "not valid UTF-8");
    }

    @Test
    void badDtypes() throws IOException {
        assertBad(write("f33", "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "unknown dtype 'F33'");
        assertBad(write("i64", "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]),
                "dtype I64, which Backprop does not read");
        assertBad(write("lower", "{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "unknown dtype");
        assertBad(write("num", "{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "dtype must be a JSON string, found number");
    }

    @Test
    void badShapeEntries() throws IOException {
        assertBad(write("neg", entry("[-1]", "[0,4]"), new byte[4]), "non-negative integers, found '-1'");
        assertBad(write("frac", entry("[1.5]", "[0,4]"), new byte[4]), "found '1.5'");
        assertBad(write("exp", entry("[1e0]", "[0,4]"), new byte[4]), "found '1e0'");
        assertBad(write("str", entry("[\"1\"]", "[0,4]"), new byte[4]), "found string");
        assertBad(write("big", entry("[99999999999999999999]", "[0,4]"), new byte[4]), "is too large");
        assertBad(write("notarr", entry("4", "[0,4]"), new byte[4]), "shape must be a JSON array");
    }

    @Test
    void shapeDisagreeingWithOffsets() throws IOException {
        assertBad(write("short", entry("[2]", "[0,4]"), new byte[4]), "needs 8 bytes but data_offsets [0, 4] span 4");
        assertBad(write("long", entry("[1]", "[0,8]"), new byte[8]), "needs 4 bytes");
        assertBad(write("backwards", entry("[1]", "[4,0]"), new byte[4]), "end before they begin");
        assertBad(write("three", entry("[1]", "[0,4,8]"), new byte[4]), "must be [begin, end]");
    }

    @Test
    void hugeDeclaredSizesFailBeforeAnyAllocation() throws IOException {
        // 2^31 x 2^31 floats: the byte count overflows 64 bits
        assertBad(write("overflow", entry("[2147483648,2147483648]", "[0,4]"), new byte[4]), "more bytes than a 64-bit");
        assertBad(write("overflow3", entry("[4294967296,4294967296,4294967296]", "[0,4]"), new byte[4]),
                "more bytes than a 64-bit");
        // 2^30 x 2^30 floats = 2^62 bytes, consistent offsets, but a 4-byte file
        assertBad(write("claims", entry("[1073741824,1073741824]", "[0,4611686018427387904]"), new byte[4]),
                "run past the end of the data (4 bytes)");
        // A valid but empty tensor whose dimension Backprop's int shapes cannot hold
        assertBad(write("wide", entry("[0,3000000000]", "[0,0]"), new byte[0]), "larger than a Backprop tensor");
    }

    @Test
    void offsetsOutOfRangeOverlappingOrWithHoles() throws IOException {
        assertBad(write("range", entry("[1]", "[4,8]"), new byte[4]), "run past the end of the data (4 bytes)");
        assertBad(write("overlap", "{\"a\":" + f32(0, 8) + ",\"b\":" + f32(4, 12) + "}", new byte[12]),
                "tensor 'b' data_offsets [4, 12] overlap tensor 'a'");
        assertBad(write("same", "{\"a\":" + f32(0, 4) + ",\"b\":" + f32(0, 4) + "}", new byte[4]), "overlap");
        assertBad(write("hole", "{\"a\":" + f32(0, 4) + ",\"b\":" + f32(8, 12) + "}", new byte[12]),
                "bytes 4..8 of the data belong to no tensor");
        assertBad(write("start", "{\"a\":" + f32(4, 8) + "}", new byte[8]), "bytes 0..4");
    }

    @Test
    void dataSizeMustMatchTheFile() throws IOException {
        assertBad(write("trailing", entry("[1]", "[0,4]"), new byte[5]), "cover 4 bytes but the file has 5 bytes");
        assertBad(write("nothing", "{}", new byte[3]), "cover 0 bytes but the file has 3");
        // truncated file: the last tensor's bytes are missing
        assertBad(write("truncated", "{\"a\":" + f32(0, 4) + ",\"b\":" + f32(4, 8) + "}", new byte[6]),
                "run past the end of the data (6 bytes)");
    }

    @Test
    void errorNamesTheFileAndItsProblem() throws IOException {
        Path file = write("named.safetensors", entry("[-1]", "[0,4]"), new byte[4]);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": not a valid safetensors file: "), e.getMessage());
        assertTrue(e.problem().contains("tensor 'a' shape"), e.problem());
        // the header-only reader applies the same checks
        assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.readHeader(file));
    }

    @Test
    void longHostileNamesAreShortenedInMessages() throws IOException {
        String name = "n".repeat(10_000);
        Path file = write("longname", "{\"" + name + "\":{\"dtype\":\"X\",\"shape\":[],\"data_offsets\":[0,0]}}",
                new byte[0]);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().length() < 400, e.getMessage());
        assertTrue(e.getMessage().contains("(10000 chars)"), e.getMessage());
    }

    // ---------------------------------------------------------------- writing errors

    @Test
    void invalidNamesAreRefusedAndLeaveTheOldFile() throws IOException {
        Path file = dir.resolve("keep.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.scalar(1f)));
        byte[] before = Files.readAllBytes(file);
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(file, Map.of("__metadata__", Tensor.scalar(1f))));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("", Tensor.scalar(1f))));
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(file, Map.of("bad\uD800", Tensor.scalar(1f))));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file left behind");
        }
    }

    // ---------------------------------------------------------------- helpers

    private void assertBad(Path file, String expected) {
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(file),
                file.getFileName().toString());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    }

    private static String entry(String shape, String offsets) {
        return "{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    /** An F32 entry of (end - begin) / 4 elements at the given offsets. */
    private static String f32(long begin, long end) {
        return "{\"dtype\":\"F32\",\"shape\":[" + (end - begin) / 4 + "],\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve(name);
        Files.write(file, concat(prefix(h.length), h, data));
        return file;
    }

    private Path withLength(String name, long n, String header) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, concat(prefix(n), header.getBytes(StandardCharsets.UTF_8)));
        return file;
    }

    private Path raw(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static byte[] prefix(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }

    private static String header(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    }

    private static JsonArray ints(long... values) {
        JsonArray a = new JsonArray();
        for (long v : values) a.add(v);
        return a;
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }
}
