#!/bin/bash -eu
# .clusterfuzzlite/build.sh: builds every fuzz/NAME_fuzzer.cc for ClusterFuzzLite (and OSS-Fuzz).
#
# Honours the image's $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $OUT (and $WORK). No CMake:
# the pure core (reference/core/*.cc) uses the standard library alone, so it is compiled here
# directly, with the image's flags (its libc++, its sanitizer), and each target links only
# project code. Emits into $OUT, per target: NAME_fuzzer, NAME_fuzzer_seed_corpus.zip,
# NAME_fuzzer.dict. Run locally by `ci/fuzz --cflite-check`.
# Must not: download anything, or build the POSIX layer or the programs.

# The image's WORKDIR is the checkout; NETREF_SRC lets a local run point elsewhere.
src=${NETREF_SRC:-$PWD}
work=${WORK:-$(mktemp -d)}/netref-core
mkdir -p "$work" "$OUT"

objects=()
for source in "$src"/reference/core/*.cc; do
  object="$work/$(basename "${source%.cc}").o"
  $CXX $CXXFLAGS -std=c++17 -I"$src" -c "$source" -o "$object"
  objects+=("$object")
done
ar rcs "$work/libnetref_core.a" "${objects[@]}"

for target in "$src"/fuzz/*_fuzzer.cc; do
  name=$(basename "${target%.cc}")  # e.g. args_fuzzer
  $CXX $CXXFLAGS -std=c++17 -I"$src" "$target" "$work/libnetref_core.a" $LIB_FUZZING_ENGINE \
    -o "$OUT/$name"
  rm -f "$OUT/${name}_seed_corpus.zip"
  (cd "$src/fuzz/${name}_corpus" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
  cp "$src/fuzz/${name%_fuzzer}.dict" "$OUT/$name.dict"
done
