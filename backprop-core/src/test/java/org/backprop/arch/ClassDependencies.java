package org.backprop.arch;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packages of {@code org.backprop} each compiled class refers to, read from the constant
 * pools of class files: what the JVM would load, so imports, fully qualified names in code,
 * field and method types all count, and Javadoc does not. No library needed: a constant pool is
 * a flat list of tagged entries (JVMS §4.4).
 */
final class ClassDependencies {
    private static final Pattern LIBRARY_CLASS = Pattern.compile("org/backprop/(\\w+)/");

    private ClassDependencies() {}

    /** For each class under {@code root} (by its path, e.g. {@code org/backprop/tensor/Tensor}), the library packages it refers to. */
    static Map<String, Set<String>> scan(Path root) throws IOException {
        Map<String, Set<String>> refs = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('\\', '/').replaceAll("\\.class$", "");
                try (InputStream in = Files.newInputStream(f)) {
                    refs.put(name, packagesIn(constantStrings(in)));
                }
            }
        }
        return refs;
    }

    /** The package of a class path: {@code org/backprop/tensor/Tensor$1} → {@code tensor}. */
    static String packageOf(String classPath) {
        Matcher m = LIBRARY_CLASS.matcher(classPath);
        return m.lookingAt() ? m.group(1) : "";
    }

    private static Set<String> packagesIn(List<String> strings) {
        Set<String> packages = new TreeSet<>();
        for (String s : strings) {
            Matcher m = LIBRARY_CLASS.matcher(s);
            while (m.find()) packages.add(m.group(1));
        }
        return packages;
    }

    /** Every UTF-8 entry of a class file's constant pool: class names, descriptors, signatures. */
    private static List<String> constantStrings(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        List<String> strings = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> strings.add(in.readUTF());
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);            // class, string, method type, module, package
                case 15 -> in.skipNBytes(3);                          // method handle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // int, float, refs, name-and-type, (invoke)dynamic
                case 5, 6 -> {                                        // long, double: two slots
                    in.skipNBytes(8);
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        return strings;
    }
}
