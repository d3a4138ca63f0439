# Finds a JDK that can build and run Backprop (Java 25 or newer) and prints its home folder.
# Sourced by ./backprop and ./mvnw; also runnable: `sh .mvn/find-jdk.sh` prints the folder.
# Order: JAVA_HOME, the java on PATH, then the usual install folders (newest version wins).

BACKPROP_MIN_JAVA=25

# Major version of the JDK in folder $1 (from its release file), or nothing.
backprop_jdk_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1)
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  [ -n "$v" ] && echo "$v"
}

backprop_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ]; then
    m=$(backprop_jdk_major "$JAVA_HOME") && [ "$m" -ge "$BACKPROP_MIN_JAVA" ] && { echo "$JAVA_HOME"; return 0; }
  fi
  if command -v java >/dev/null 2>&1; then
    home=$(cd "$(dirname "$(readlink -f "$(command -v java)")")/.." && pwd)
    m=$(backprop_jdk_major "$home") && [ "$m" -ge "$BACKPROP_MIN_JAVA" ] && { echo "$home"; return 0; }
  fi
  best= ; best_major=0
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
             /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$dir" ] || continue
    m=$(backprop_jdk_major "$dir") || continue
    if [ "$m" -ge "$BACKPROP_MIN_JAVA" ] && [ "$m" -gt "$best_major" ]; then best=$dir; best_major=$m; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}

backprop_no_jdk_message() {
  cat >&2 <<MSG
Backprop needs a JDK $BACKPROP_MIN_JAVA or newer, and none was found
(looked at JAVA_HOME, the java on PATH, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks).
Install one, for example Eclipse Temurin $BACKPROP_MIN_JAVA (https://adoptium.net, or 'sdk install java $BACKPROP_MIN_JAVA-tem'),
then run again, or point JAVA_HOME at it.
MSG
}

# Run directly: print the folder, or explain what to install.
case "${0##*/}" in
  find-jdk.sh) backprop_find_jdk || { backprop_no_jdk_message; exit 1; } ;;
esac
