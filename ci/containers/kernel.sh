# shellcheck shell=bash
# ci/containers/run's kernel target (runs=kernel): the conformance runners, built in the target's
# Debian 12 root, run by the init of a VM booted with another kernel under qemu-system-x86_64 with
# software emulation (TCG: no KVM needed). The root (less compilers and headers) is the VM's
# initramfs, so the kernel needs no disk or filesystem modules; the init prints the results on
# the serial console between markers and powers the VM off. Sourced by ci/containers/run.

# The kernel package's files, downloaded once from kernel_suite with a private apt state (the
# host's apt sources are not touched) and unpacked into $cache/kernels/PACKAGE.
fetch_kernel() {
  local dir=$1 state=$cache/kernels/apt-$kernel_suite
  [ -d "$dir/boot" ] && return 0
  mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/parts"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $kernel_suite main" > "$state/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=$state/parts"
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state" -o Dir::Cache::pkgcache=
    -o Dir::Cache::srcpkgcache= -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o APT::Sandbox::User=root)
  apt-get -qq "${opts[@]}" update
  (cd "$state/archives" && apt-get -qq "${opts[@]}" download "$kernel_package")
  mkdir -p "$dir.tmp"
  dpkg-deb -x "$state/archives/${kernel_package}"_*.deb "$dir.tmp"
  mv "$dir.tmp" "$dir"
}

run_kernel() {
  local name=$1 scratch=$cache/runs/$1 kernel_dir=$cache/kernels/$kernel_package root rc=0
  root=$(root_dir "$name")
  fetch_kernel "$kernel_dir"
  clear_scratch "$scratch"
  echo "ci/containers: building the conformance runners in the root (and running them on the host's kernel)"
  timeout -k 60 "$timeout" nice -n 10 "$here/enter" "$root" "$scratch" "$repo" "$(apt_archive "$name")" \
    /src/ci/containers/inside kernel-build || echo "ci/containers: on the host's kernel the runners exited $?"
  [ -f "$scratch/upper/src/build/conformance/results.tsv" ] || { echo "ci/containers: no runners built"; return 1; }
  rm -f "$scratch/upper/src/build/conformance/results.tsv"
  "$here/enter" --pack "$scratch/initrd.cpio" "$root" "$scratch"
  echo "ci/containers: initramfs $(du -m "$scratch/initrd.cpio" | cut -f1) MB; booting $kernel_package"
  local console=$out/$name/console.log vmlinuz
  vmlinuz=$(ls "$kernel_dir"/boot/vmlinuz-*)
  timeout -k 30 "$timeout" nice -n 10 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "$vm_memory" \
    -kernel "$vmlinuz" -initrd "$scratch/initrd.cpio" -append "console=ttyS0 panic=-1 quiet" \
    -display none -monitor none -serial "file:$console" -no-reboot || rc=$?
  [ "$rc" -ne 124 ] || { echo "ci/containers: $name: the VM timed out after $timeout"; return 124; }
  mkdir -p "$scratch/vm/conformance"
  tr -d '\r' < "$console" | sed -n '/^REFLOOP-RESULTS-BEGIN$/,/^REFLOOP-RESULTS-END$/p' | sed '1d;$d' \
    > "$scratch/vm/conformance/results.tsv"
  tr -d '\r' < "$console" | grep -E '^vm-init: ' || true
  collect_results "$name" "$scratch/vm"
  tr -d '\r' < "$console" | grep -q '^REFLOOP-STATUS 0$'
}
