#!/usr/bin/env bash
# Builds a self-contained image of the backprop CLI with jlink: a Java runtime holding only the
# modules the CLI and its libraries use (found by jdeps), the jars in lib/app, and bin/backprop.
# Run after `./mvnw package` (or verify), which leaves the CLI jar and its dependencies in
# backprop-cli/target. Output: backprop-cli/target/image (override with $1). Ends by running
# `bin/backprop --version` from the image, so CI sees the image start.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/find-jdk.sh"
JAVA_HOME=$(backprop_find_jdk) || { backprop_no_jdk_message; exit 1; }

target="$root/backprop-cli/target"
jar=$(ls "$target"/backprop-cli-*.jar 2>/dev/null | grep -v -e '-sources' -e '-javadoc' | head -n 1 || true)
if [ -z "$jar" ] || [ ! -d "$target/lib" ]; then
  echo "jlink-image: no CLI jar in backprop-cli/target; run ./mvnw package first" >&2
  exit 1
fi
out=${1:-"$target/image"}
rm -rf "$out"

# The JDK modules the jars need; jdk.unsupported for libraries that probe sun.misc.Unsafe.
modules=$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
  --class-path "$target/lib/*" "$jar" "$target"/lib/*.jar 2>/dev/null | tail -n 1)
"$JAVA_HOME/bin/jlink" --add-modules "$modules,jdk.unsupported" --strip-debug --no-header-files \
  --no-man-pages --compress zip-6 --output "$out"

mkdir -p "$out/lib/app"
cp "$jar" "$target"/lib/*.jar "$out/lib/app/"
cat > "$out/bin/backprop" <<'LAUNCHER'
#!/usr/bin/env bash
# The backprop command of this image. The JVM prints "WARNING: Using incubator modules:
# jdk.incubator.vector" first on stderr when the Vector API is resolved, and no flag turns it
# off: that one line is dropped and the rest of stderr is copied as it arrives.
set -uo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
drop_incubator_warning() {
  local first
  if IFS= read -r first; then
    [ "$first" = "WARNING: Using incubator modules: jdk.incubator.vector" ] || printf '%s\n' "$first"
  else
    printf '%s' "$first"
  fi
  exec cat
}
{ "$home/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
    ${BACKPROP_JAVA_OPTS:-} -cp "$home/lib/app/*" org.backprop.cli.Main "$@" 2>&1 1>&3 3>&- \
    | drop_incubator_warning >&2; } 3>&1
exit "${PIPESTATUS[0]}"
LAUNCHER
chmod +x "$out/bin/backprop"

echo "jlink-image: $(du -sh "$out" | cut -f1) image in ${out#"$root"/} (modules: $modules,jdk.unsupported)"
version=$("$out/bin/backprop" --version)
echo "jlink-image: bin/backprop --version: $version"
case "$version" in backprop*) ;; *) echo "jlink-image: unexpected --version output" >&2; exit 1 ;; esac
