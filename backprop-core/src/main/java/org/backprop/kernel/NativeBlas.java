package org.backprop.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An optional native {@code cblas_sgemm} (OpenBLAS), called through the foreign-function API
 * with the Java heap arrays themselves: {@link Linker.Option#critical(boolean) critical(true)}
 * lets the native code read and write {@code MemorySegment.ofArray(float[])} in place, so
 * nothing is copied and a call costs about a tenth of a microsecond.
 *
 * <p>Selected by the system property {@code backprop.blas}:
 * <ul>
 *   <li>{@code java} (the default): never used; the pure-Java {@link Gemm} runs.
 *   <li>{@code auto}: used when OpenBLAS is found, for products of at least {@value #MIN_ROWS}
 *       rows (below that the Java path, which packs nothing, is faster: Debian's OpenBLAS packs
 *       all of B even for one row).
 *   <li>{@code native}: like auto, but a missing library is an error at first use.
 * </ul>
 * The default stays {@code java} until a benchmark on a quiet machine shows native faster on the
 * shapes that matter (see docs/BENCHMARKS.md); native BLAS is optional, never required.
 *
 * <p>The library is the one named by {@code backprop.blas.library} (a path or a name), or else
 * the first of {@code libopenblas.so.0}, {@code libopenblas.so}, {@code libopenblas.dylib},
 * {@code libopenblas.dll} that the system loader finds, or else one of them in a common library
 * folder or on {@code java.library.path}. It is loaded on first use. Its threads are set to
 * {@link Parallel#THREADS} unless {@code OPENBLAS_NUM_THREADS} is set.
 */
public final class NativeBlas {
    private NativeBlas() {}

    /** Below this many rows of C the Java kernel is used even in auto mode. */
    public static final int MIN_ROWS = 4;

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static final List<String> NAMES = List.of("libopenblas.so.0", "libopenblas.so", "libopenblas.dylib",
            "libopenblas.dll");
    private static final List<String> FOLDERS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread", "/usr/lib64", "/usr/lib", "/usr/local/lib",
            "/opt/OpenBLAS/lib", "/opt/homebrew/opt/openblas/lib", "/usr/local/opt/openblas/lib");

    /** The engine choice, from {@code backprop.blas}. */
    public enum Mode { JAVA, AUTO, NATIVE }

    public static final Mode MODE = mode(System.getProperty("backprop.blas", "java"));

    private record Library(String where, MethodHandle sgemm, MethodHandle corename) {}

    /** Loaded on first use only, so the default Java mode never starts OpenBLAS's threads. */
    private static final class Holder {
        static final Optional<Library> LIBRARY = find();
    }

    private static final String MISSING = "backprop.blas=native, but no OpenBLAS library was found (looked for "
            + NAMES + " through the system loader, in " + FOLDERS + " and on java.library.path). Install it"
            + " (Debian/Ubuntu: apt-get install libopenblas0-pthread) or point backprop.blas.library at it.";

    /** Whether OpenBLAS was found (whatever the mode). */
    public static boolean isAvailable() {
        return Holder.LIBRARY.isPresent();
    }

    /** Whether {@link Gemm#sgemm} should hand a product with {@code m} rows to the native library. */
    static boolean selected(int m) {
        return switch (MODE) {
            case JAVA -> false;
            case AUTO -> m >= MIN_ROWS && Holder.LIBRARY.isPresent();
            case NATIVE -> {
                if (Holder.LIBRARY.isEmpty()) throw new IllegalStateException(MISSING);
                yield m >= MIN_ROWS;
            }
        };
    }

    /** Where the library was loaded from and which kernel OpenBLAS picked, or why there is none. */
    public static String describe() {
        if (Holder.LIBRARY.isEmpty()) return "no OpenBLAS found";
        Library lib = Holder.LIBRARY.get();
        String core = "";
        if (lib.corename() != null) {
            try {
                MemorySegment s = (MemorySegment) lib.corename().invokeExact();
                core = ", core " + s.reinterpret(64).getString(0);
            } catch (Throwable e) {
                core = "";
            }
        }
        return "OpenBLAS " + lib.where() + core;
    }

    /**
     * {@code C := alpha·op(A)·op(B) + beta·C} by {@code cblas_sgemm}, row-major, with the same
     * arguments and checks as {@link Gemm#sgemm}.
     *
     * @throws IllegalStateException when no OpenBLAS was found
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        Gemm.check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            Gemm.scale(beta, m, n, c, cOff, ldc); // BLAS's own quick return; keep Java's NaN-clearing beta = 0
            return;
        }
        call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** The raw call, arguments already checked and non-degenerate. */
    static void call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        Library lib = Holder.LIBRARY.orElseThrow(() -> new IllegalStateException(MISSING));
        try {
            lib.sgemm().invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    slice(a, aOff), lda, slice(b, bOff), ldb, beta, slice(c, cOff), ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed: " + e, e);
        }
    }

    private static MemorySegment slice(float[] x, int off) {
        MemorySegment s = MemorySegment.ofArray(x);
        return off == 0 ? s : s.asSlice(off * Float.BYTES);
    }

    private static Mode mode(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "java" -> Mode.JAVA;
            case "auto" -> Mode.AUTO;
            case "native" -> Mode.NATIVE;
            default -> throw new IllegalArgumentException("backprop.blas must be auto, java or native, not '" + value + "'");
        };
    }

    // ------------------------------------------------------------------ loading

    private static Optional<Library> find() {
        List<String> candidates = new ArrayList<>();
        String explicit = System.getProperty("backprop.blas.library");
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(explicit);
        } else {
            candidates.addAll(NAMES);
            List<String> folders = new ArrayList<>(FOLDERS);
            for (String p : System.getProperty("java.library.path", "").split(java.io.File.pathSeparator)) {
                if (!p.isBlank()) folders.add(p);
            }
            for (String folder : folders) {
                for (String name : NAMES) {
                    if (Files.isRegularFile(Path.of(folder, name))) candidates.add(Path.of(folder, name).toString());
                }
            }
        }
        for (String candidate : candidates) {
            Optional<Library> lib = open(candidate);
            if (lib.isPresent()) return lib;
        }
        return Optional.empty();
    }

    private static Optional<Library> open(String nameOrPath) {
        SymbolLookup lookup;
        try {
            // The global arena keeps the library loaded for the life of the JVM.
            lookup = nameOrPath.contains("/") ? SymbolLookup.libraryLookup(Path.of(nameOrPath), Arena.global())
                    : SymbolLookup.libraryLookup(nameOrPath, Arena.global());
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalCallerException e) {
            return Optional.empty();
        }
        Optional<MemorySegment> sgemm = lookup.find("cblas_sgemm");
        if (sgemm.isEmpty()) return Optional.empty();
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        var ptr = ValueLayout.ADDRESS;
        MethodHandle call = linker.downcallHandle(sgemm.get(),
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, ptr, i, ptr, i, f, ptr, i),
                Linker.Option.critical(true));
        MethodHandle corename = lookup.find("openblas_get_corename")
                .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ptr))).orElse(null);
        // One thread count for both engines, unless the user chose OpenBLAS's explicitly.
        if (System.getenv("OPENBLAS_NUM_THREADS") == null) lookup.find("openblas_set_num_threads").ifPresent(s -> {
            try {
                linker.downcallHandle(s, FunctionDescriptor.ofVoid(i)).invokeExact(Parallel.THREADS);
            } catch (Throwable e) {
                // Keep OpenBLAS's own thread count.
            }
        });
        return Optional.of(new Library(nameOrPath, call, corename));
    }
}
