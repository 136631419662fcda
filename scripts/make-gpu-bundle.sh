#!/usr/bin/env bash
# Packs what a CUDA machine without a JDK needs to run the asclepius program into gpu-bundle/ (< 64 MB):
# a jlinked JRE, the program's jars without PyTorch's CPU library, and scripts/gpu-check.sh.
# The machine must provide libtorch (PYTORCH_LIBRARY_PATH); see docs/gpu.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf asclepius-examples/target/lib gpu-bundle && mkdir -p gpu-bundle
mvn -B -q package -DskipTests -Pcuda
"${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/jlink" \
  --add-modules java.base,java.logging,jdk.unsupported,java.management,java.naming,java.xml,jdk.crypto.ec \
  --compress=2 --strip-debug --no-header-files --no-man-pages --output gpu-bundle/jre
cp -r asclepius-examples/target/lib asclepius-examples/target/asclepius.jar gpu-bundle/
# Keep only the linux-x86_64 natives of the two jars that bundle every platform's.
for jar in gpu-bundle/lib/tokenizers-*.jar gpu-bundle/lib/pytorch-jni-*.jar; do
  tmp=$(mktemp -d)
  (cd "$tmp" && unzip -q "$OLDPWD/$jar" && rm -rf native/lib/linux-aarch64 native/lib/osx-* native/lib/win-* \
      jnilib/linux-aarch64 jnilib/osx-* jnilib/win-* && rm "$OLDPWD/$jar" && zip -qr "$OLDPWD/$jar" .)
  rm -rf "$tmp"
done
cp scripts/gpu-check.sh gpu-bundle/
# Restore the CPU build of target/lib for local use.
rm -rf asclepius-examples/target/lib && mvn -B -q package -DskipTests
du -sh gpu-bundle
