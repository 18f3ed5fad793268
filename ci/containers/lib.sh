# shellcheck shell=bash
# ci/containers/run's parts: target definitions, host tools, binfmt_misc, the cached roots, the
# Containerfile and the summary. Sourced by ci/containers/run, which sets here, repo, cache, out.
mirror=${REFLOOP_CONTAINERS_MIRROR:-http://deb.debian.org/debian}

target_names() { (cd "$here/targets" && ls); }

# A definition is a shell fragment of plain assignments (targets/*, README.md lists the keys).
load_target() {
  arch='' suite='' runs='' cross='' packages='' install_deps='' timeout=45m
  kernel_suite='' kernel_package='' vm_memory=3G
  # shellcheck disable=SC1090
  . "$here/targets/$1"
  case $runs in full | cross | kernel) ;; *) echo "ci/containers: $1: runs must be full, cross or kernel" >&2; return 1 ;; esac
}

# What the runner itself needs on the host, installed from Debian's archive when missing (not by
# ci/install-deps: the main test command needs none of it). Idempotent.
install_host_tools() {
  local wanted=(mmdebstrap arch-test qemu-user-static binfmt-support qemu-system-x86 cpio) missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "ci/containers: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Debian architecture -> qemu's name for it.
qemu_arch() { case $1 in armhf) echo arm ;; arm64) echo aarch64 ;; *) echo "$1" ;; esac; }

# Foreign architectures run through binfmt_misc: mounts it when it is not mounted, and registers
# qemu-user-static's interpreter with the F flag (the kernel opens it now, so it works inside a
# chroot that does not contain it). Says exactly what is missing when it cannot.
ensure_binfmt() {
  local arch=$1 q entry
  [ "$arch" = amd64 ] && return 0
  q=$(qemu_arch "$arch")
  local binfmt=/proc/sys/fs/binfmt_misc
  [ -f "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" || {
    echo "ci/containers: cannot mount binfmt_misc on $binfmt: the kernel needs CONFIG_BINFMT_MISC and this" \
         "environment must allow the mount (a privileged container, or the host's 'mount -t binfmt_misc" \
         "binfmt_misc $binfmt')" >&2
    return 1
  }
  [ -f "$binfmt/qemu-$q" ] && grep -q '^enabled' "$binfmt/qemu-$q" && grep -q 'flags:.*F' "$binfmt/qemu-$q" && return 0
  entry=/usr/share/binfmts/qemu-$q
  [ -f "$entry" ] || { echo "ci/containers: $entry missing: install qemu-user-static" >&2; return 1; }
  [ -f "$binfmt/qemu-$q" ] && echo -1 > "$binfmt/qemu-$q"
  local magic mask
  magic=$(awk '$1 == "magic" { print $2 }' "$entry")
  mask=$(awk '$1 == "mask" { print $2 }' "$entry")
  printf ':qemu-%s:M:0:%s:%s:/usr/bin/qemu-%s-static:FP\n' "$q" "$magic" "$mask" "$q" > "$binfmt/register" || {
    echo "ci/containers: cannot register qemu-$q in $binfmt/register (needs root in the initial user namespace)" >&2
    return 1
  }
  echo "ci/containers: registered /usr/bin/qemu-$q-static for $arch in binfmt_misc"
}

# The cached root of a target: named after the hash of everything in its definition that decides
# the root's content (not its timeout or what runs in it), and of the code that builds it.
definition_hash() {
  {
    echo "$arch $suite $runs $install_deps" $packages
    declare -f ensure_root mmdebstrap_args
    [ "$install_deps" = yes ] && cat "$repo/ci/install-deps"
    echo "$mirror"
  } | sha256sum | cut -c1-16
}
root_dir() { echo "$cache/roots/$1-$(definition_hash "$1")"; }
apt_archive() { echo "$cache/apt/$suite-$arch"; }

mmdebstrap_args() {
  local archs=$arch
  [ "$runs" = cross ] && archs="amd64,$arch"  # an amd64 root that can install $arch packages
  printf '%s\n' --variant=minbase "--architectures=$archs" \
    "--include=$(echo $packages | tr ' ' ',')" --aptopt='Acquire::Retries "3"'
  if [ "$install_deps" = yes ]; then
    printf '%s\n' "--customize-hook=cp /etc/resolv.conf \"\$1/etc/resolv.conf\"" \
      "--customize-hook=copy-in $repo/ci/install-deps /usr/local/sbin" \
      "--customize-hook=chroot \"\$1\" /usr/local/sbin/install-deps"
  fi
}

# Builds the root when its hashed name is missing (and removes the target's older roots).
ensure_root() {
  local name=$1 dir args
  dir=$(root_dir "$name")
  [ -d "$dir" ] && { echo "ci/containers: root $dir is cached"; return 0; }
  rm -rf "$cache/roots/$name"-*
  mkdir -p "$cache/roots"
  mapfile -t args < <(mmdebstrap_args)
  echo "ci/containers: building $dir: mmdebstrap ${args[*]} $suite $mirror"
  local start=$SECONDS
  nice -n 10 mmdebstrap "${args[@]}" "$suite" "$dir.tmp" "$mirror" < /dev/null
  mv "$dir.tmp" "$dir"
  echo "ci/containers: root built in $((SECONDS - start)) s"
}

# A run's scratch folder (the overlay's upper and work dirs), empty.
clear_scratch() {
  rm -rf "${1:?}"
  mkdir -p "$1"
}

# The same definition for Docker or Podman: the root's packages, the clone, the inside command.
containerfile() {
  local name=$1 image platform
  [ "$runs" = kernel ] && { echo "ci/containers: $name boots a kernel under qemu-system; it has no Containerfile" >&2; return 1; }
  image=debian:$suite
  platform=linux/$arch
  echo "# Generated by ci/containers/run containerfile $name from ci/containers/targets/$name."
  echo "# podman build --platform $platform -f Containerfile.$name -t refloop-$name . && podman run --rm refloop-$name"
  echo "FROM --platform=$platform $image"
  local add_arch=''
  if [ "$runs" = cross ]; then  # an amd64 image that installs the target's packages
    add_arch="dpkg --add-architecture $arch && "
    platform=linux/amd64
  fi
  echo "RUN ${add_arch}apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\"
  echo "    $(echo $packages)"
  echo "COPY . /src"
  echo "WORKDIR /src"
  echo "CMD [\"/src/ci/containers/inside\", \"$runs\"${cross:+, \"$cross\"}]"
}

# Status codes of results.tsv (conformance/framework/results.hpp, enum Status, in order).
cell_names='PASS FAIL UNSUPPORTED KNOWN-DEVIATION UNEXPECTED-PASS N/A'

# One line per target (time, tests, conformance cells by result), then the combined matrix.
report() {
  local combined=$out/results.tsv name cells status=0
  : > "$combined"
  echo
  echo "ci/containers summary"
  printf '%-16s %-8s %-7s %-8s %-45s %s\n' target status time warnings tests "conformance cells"
  for name in "$@"; do
    cells='no results'
    if [ -s "$out/$name/results.tsv" ]; then
      cat "$out/$name/results.tsv" >> "$combined"
      cells=$(awk -F'\t' -v names="$cell_names" 'BEGIN { split(names, n, " ") }
        { c[$3]++ } END { for (i = 0; i < 6; i++) if (c[i]) printf "%s %d  ", n[i + 1], c[i] }' \
        "$out/$name/results.tsv")
    fi
    local rc seconds
    rc=$(cat "$out/$name/status" 2>/dev/null || echo '?')
    seconds=$(cat "$out/$name/seconds" 2>/dev/null || echo 0)
    [ "$rc" = 0 ] || status=1
    printf '%-16s %-8s %-7s %-8s %-45s %s\n' "$name" "$([ "$rc" = 0 ] && echo ok || echo "FAIL($rc)")" \
      "$((seconds / 60))m$((seconds % 60))s" "$(cat "$out/$name/warnings.txt" 2>/dev/null || echo '-')" \
      "$(cat "$out/$name/ctest.txt" 2>/dev/null || echo 'no ctest run')" "$cells"
  done
  [ -s "$combined" ] || return "$status"
  write_matrix "$combined" "$repo/build/conformance/containers-matrix.md" || status=1
  echo "ci/containers: matrix in build/conformance/containers-matrix.md, logs in build/containers/TARGET/log"
  return "$status"
}

# The combined matrix, written by the conformance runner itself (--from-results), built on the
# host in build/conformance (the conformance preset) when it is not there.
write_matrix() {
  local runner=$repo/build/conformance/conformance/suites/loop/refloop-conformance
  if [ ! -x "$runner" ]; then
    (cd "$repo" && ci/install-deps > /dev/null && cmake --preset conformance > /dev/null &&
      nice -n 10 cmake --build build/conformance --target refloop-conformance -j "$(nproc)" > /dev/null) || return 1
  fi
  "$runner" --from-results "$1" --matrix "$2" > "$out/matrix.tap" || true
  [ -f "$2" ]
}
