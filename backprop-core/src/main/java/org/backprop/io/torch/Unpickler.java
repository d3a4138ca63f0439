package org.backprop.io.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted reader of the pickle in a PyTorch checkpoint ({@code data.pkl}). It understands the
 * opcodes pickle protocols 2 to 5 use for a state dict, and of Python's globals it accepts only
 * the few a state dict needs ({@link #ALLOWED}): anything else (os.system, builtins.eval, any
 * class of the writer's program) is refused by name before anything is built. Nothing is ever
 * executed: the allowed globals are tokens this class interprets itself.
 *
 * <p>Values: Python str → String, int → Long, float → Double, bool → Boolean, None → null, tuple
 * and list → List, dict and OrderedDict → LinkedHashMap (keys in order), a tensor → {@link TensorRef}.
 */
final class Unpickler {
    /** The globals a state dict needs: the tensor rebuild functions, OrderedDict, the storage types. */
    static final Set<String> ALLOWED = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage",
            "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
            "torch.BoolStorage");

    /** A storage named by the pickle: its element type (e.g. {@code Float}), its entry key, its element count. */
    record StorageRef(String dtype, String key, long numel) {}

    /** A tensor: a view of a storage with an offset, sizes and strides (in elements). */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private record Global(String name) {}

    private static final Object MARK = new Object();
    private static final int MAX_DEPTH = 100_000;

    private final ByteBuffer in;
    private final Path where;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(byte[] data, Path where) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.where = where;
    }

    /** The value the pickle describes. {@code where} names the file in errors. */
    static Object load(byte[] data, Path where) throws TorchCheckpointException {
        try {
            return new Unpickler(data, where).run();
        } catch (java.nio.BufferUnderflowException e) {
            throw new TorchCheckpointException(where, "the pickle ends in the middle of an instruction");
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            throw new TorchCheckpointException(where, "malformed pickle (" + e.getMessage() + ")");
        }
    }

    private Object run() throws TorchCheckpointException {
        while (true) {
            int at = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get();                                  // PROTO n
                case 0x95 -> in.getLong();                              // FRAME length: framing is only a hint
                case '.' -> {                                           // STOP
                    if (stack.size() != 1) throw bad(at, "STOP with " + stack.size() + " values on the stack");
                    return stack.getFirst();
                }
                case '(' -> {                                           // MARK
                    marks.add(stack.size());
                    push(MARK);
                }
                case ')' -> push(List.of());                            // EMPTY_TUPLE
                case ']' -> push(new ArrayList<>());                    // EMPTY_LIST
                case '}' -> push(new LinkedHashMap<>());                // EMPTY_DICT
                case 't' -> push(List.copyOf(popMark(at)));             // TUPLE
                case 'l' -> push(new ArrayList<>(popMark(at)));         // LIST
                case 'd' -> push(dict(popMark(at), at));                // DICT
                case 0x85 -> push(List.of(pop(at)));                    // TUPLE1
                case 0x86 -> {                                          // TUPLE2
                    Object b = pop(at), a = pop(at);
                    push(Arrays.asList(a, b));
                }
                case 0x87 -> {                                          // TUPLE3
                    Object c = pop(at), b = pop(at), a = pop(at);
                    push(Arrays.asList(a, b, c));
                }
                case 'N' -> push(null);                                 // NONE
                case 0x88 -> push(Boolean.TRUE);                        // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                       // NEWFALSE
                case 'K' -> push((long) (in.get() & 0xff));             // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff));      // BININT2
                case 'J' -> push((long) in.getInt());                   // BININT
                case 0x8a -> push(long1(at));                           // LONG1
                case 'G' -> push(ByteBuffer.wrap(bytes(8, at)).getDouble()); // BINFLOAT, big-endian
                case 'X' -> push(string(Integer.toUnsignedLong(in.getInt()), at)); // BINUNICODE
                case 0x8c -> push(string(in.get() & 0xff, at));         // SHORT_BINUNICODE
                case 0x8d -> push(string(in.getLong(), at));            // BINUNICODE8
                case 'q' -> memo.put((long) (in.get() & 0xff), peek(at));           // BINPUT
                case 'r' -> memo.put(Integer.toUnsignedLong(in.getInt()), peek(at)); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek(at));               // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xff, at));                    // BINGET
                case 'j' -> push(memoGet(Integer.toUnsignedLong(in.getInt()), at)); // LONG_BINGET
                case 'c' -> push(global(line(at), line(at), at));                  // GLOBAL module\nname\n
                case 0x93 -> {                                                     // STACK_GLOBAL
                    Object name = pop(at), module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) throw bad(at, "STACK_GLOBAL of non-strings");
                    push(global(m, n, at));
                }
                case 'Q' -> push(persistent(pop(at), at));              // BINPERSID
                case 'R' -> {                                           // REDUCE
                    Object args = pop(at), f = pop(at);
                    push(reduce(f, args, at));
                }
                case 'b' -> {                                           // BUILD: only OrderedDict's metadata attribute
                    Object state = pop(at);
                    Object target = peek(at);
                    if (!(target instanceof Map) && !(target instanceof TensorRef)) {
                        throw bad(at, "BUILD on " + describe(target) + " (only state dicts and tensors take state)");
                    }
                    if (state != null && !(state instanceof Map)) throw bad(at, "BUILD with " + describe(state));
                }
                case 's' -> {                                           // SETITEM
                    Object value = pop(at), key = pop(at);
                    asDict(peek(at), at).put(key, value);
                }
                case 'u' -> {                                           // SETITEMS
                    List<Object> items = popMark(at);
                    Map<Object, Object> d = asDict(peek(at), at);
                    if (items.size() % 2 != 0) throw bad(at, "SETITEMS with an odd number of values");
                    for (int i = 0; i < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
                }
                case 'a' -> {                                           // APPEND
                    Object value = pop(at);
                    asList(peek(at), at).add(value);
                }
                case 'e' -> {                                           // APPENDS
                    List<Object> items = popMark(at);
                    asList(peek(at), at).addAll(items);
                }
                default -> throw bad(at, "opcode 0x" + Integer.toHexString(op) + (op >= 0x20 && op < 0x7f
                        ? " ('" + (char) op + "')" : "") + " is not one a state dict uses, so it is refused");
            }
        }
    }

    private Object global(String module, String name, int at) throws TorchCheckpointException {
        String full = module + "." + name;
        if (!ALLOWED.contains(full)) {
            throw new TorchCheckpointException(where, "refused to load: the pickle asks for the Python global '" + full
                    + "', which a state dict does not need (it would run code; allowed: collections.OrderedDict, "
                    + "torch._utils._rebuild_tensor_v2/_rebuild_parameter and the torch.*Storage types)");
        }
        return new Global(full);
    }

    private Object reduce(Object f, Object args, int at) throws TorchCheckpointException {
        if (!(f instanceof Global g)) throw bad(at, "REDUCE of " + describe(f) + ", which is not a callable");
        List<?> a = asTuple(args, at);
        return switch (g.name()) {
            case "collections.OrderedDict" -> {
                if (!a.isEmpty()) throw bad(at, "OrderedDict with arguments");
                yield new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.size() < 4 || !(a.get(0) instanceof StorageRef s)) throw bad(at, "_rebuild_tensor_v2 arguments " + describe(a));
                long[] size = longs(a.get(2), at), stride = longs(a.get(3), at);
                if (size.length != stride.length) throw bad(at, "a tensor with " + size.length + " sizes and " + stride.length + " strides");
                yield new TensorRef(s, asLong(a.get(1), at), size, stride);
            }
            case "torch._utils._rebuild_parameter" -> {
                // (data, requires_grad, backward_hooks): a Parameter is its tensor here
                if (a.isEmpty() || !(a.get(0) instanceof TensorRef t)) throw bad(at, "_rebuild_parameter arguments " + describe(a));
                yield t;
            }
            default -> throw bad(at, g.name() + " cannot be called (it is a storage type)");
        };
    }

    /** ('storage', storage type, key, location, numel) → a StorageRef. */
    private Object persistent(Object pid, int at) throws TorchCheckpointException {
        List<?> t = asTuple(pid, at);
        if (t.size() != 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Global g) || !(t.get(2) instanceof String key)) {
            throw bad(at, "a persistent id " + describe(pid) + " that is not a storage reference");
        }
        String type = g.name();
        if (!type.startsWith("torch.") || !type.endsWith("Storage")) throw bad(at, "storage type " + type);
        return new StorageRef(type.substring("torch.".length(), type.length() - "Storage".length()), key, asLong(t.get(4), at));
    }

    // ---------------------------------------------------------------- helpers

    private void push(Object o) throws TorchCheckpointException {
        if (stack.size() >= MAX_DEPTH) throw bad(in.position(), "more than " + MAX_DEPTH + " values on the stack");
        stack.add(o);
    }

    private Object pop(int at) throws TorchCheckpointException {
        if (stack.isEmpty() || stack.getLast() == MARK) throw bad(at, "an instruction needs a value the stack does not have");
        return stack.removeLast();
    }

    private Object peek(int at) throws TorchCheckpointException {
        if (stack.isEmpty() || stack.getLast() == MARK) throw bad(at, "an instruction needs a value the stack does not have");
        return stack.getLast();
    }

    private List<Object> popMark(int at) throws TorchCheckpointException {
        if (marks.isEmpty()) throw bad(at, "no MARK to close");
        int m = marks.removeLast();
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long index, int at) throws TorchCheckpointException {
        if (!memo.containsKey(index)) throw bad(at, "memo entry " + index + " read before it was written");
        return memo.get(index);
    }

    private Map<Object, Object> dict(List<Object> items, int at) throws TorchCheckpointException {
        if (items.size() % 2 != 0) throw bad(at, "DICT with an odd number of values");
        Map<Object, Object> d = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
        return d;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asDict(Object o, int at) throws TorchCheckpointException {
        if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
        throw bad(at, "setting an item of " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o, int at) throws TorchCheckpointException {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw bad(at, "appending to " + describe(o));
    }

    private List<?> asTuple(Object o, int at) throws TorchCheckpointException {
        if (o instanceof List<?> l) return l;
        throw bad(at, "expected a tuple, found " + describe(o));
    }

    private long asLong(Object o, int at) throws TorchCheckpointException {
        if (o instanceof Long l) return l;
        throw bad(at, "expected an integer, found " + describe(o));
    }

    private long[] longs(Object o, int at) throws TorchCheckpointException {
        List<?> l = asTuple(o, at);
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = asLong(l.get(i), at);
        return out;
    }

    private long long1(int at) throws TorchCheckpointException {
        int n = in.get() & 0xff;
        if (n > 8) throw bad(at, "an integer of " + n + " bytes");
        byte[] b = bytes(n, at);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xff);
        if (n > 0 && n < 8 && b[n - 1] < 0) v -= 1L << (8 * n); // two's complement sign
        return v;
    }

    private String string(long length, int at) throws TorchCheckpointException {
        return new String(bytes(length, at), StandardCharsets.UTF_8);
    }

    private byte[] bytes(long length, int at) throws TorchCheckpointException {
        if (length < 0 || length > in.remaining()) throw bad(at, "a length of " + length + " past the end of the pickle");
        byte[] b = new byte[(int) length];
        in.get(b);
        return b;
    }

    private String line(int at) throws TorchCheckpointException {
        int start = in.position();
        while (in.hasRemaining() && in.get() != '\n') {
            if (in.position() - start > 256) throw bad(at, "a global name longer than 256 characters");
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }

    private static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof Global g) return g.name();
        if (o instanceof List<?> l) return "a tuple of " + l.size();
        return "a " + o.getClass().getSimpleName();
    }

    private TorchCheckpointException bad(int at, String problem) {
        return new TorchCheckpointException(where, "malformed pickle at byte " + at + ": " + problem);
    }
}
