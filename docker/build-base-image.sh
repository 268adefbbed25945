#!/usr/bin/env bash
# Builds a Debian bookworm base image without an image registry, for machines that reach a Debian
# mirror but no registry: debootstrap --variant=minbase, trimmed like the Debian "slim" images (no
# documentation, manual pages or translations, no apt lists), imported into the container engine.
#
#   docker/build-base-image.sh [IMAGE]        (default IMAGE: localhost/pg-entrypoint-base:bookworm-slim)
#
# Environment:
#   ENGINE          podman or docker (default: podman if installed, else docker)
#   DEBIAN_MIRROR   default http://deb.debian.org/debian (security updates from .../debian-security)
#   BASE_CACHE_DIR  a directory keeping the root file system as a tarball; a later run imports it
#                   instead of running debootstrap again (default: no cache)
# An image that already exists under IMAGE is kept as it is. Needs root (debootstrap, chroot).
set -euo pipefail

image="${1:-localhost/pg-entrypoint-base:bookworm-slim}"
engine="${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm

if "$engine" image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image exists"
  exit 0
fi

tarball=""
if [ -n "${BASE_CACHE_DIR:-}" ]; then
  mkdir -p "$BASE_CACHE_DIR"
  tarball="$BASE_CACHE_DIR/debian-$suite-minbase-slim.tar"
fi

if [ -z "$tarball" ] || [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null 2>&1 || { echo "debootstrap is not installed" >&2; exit 1; }
  work="$(mktemp -d)"
  # debootstrap mounts proc and sys in the new root while configuring: never delete through them
  cleanup() {
    local rc=$?
    { grep -o " $work/[^ ]*" /proc/mounts || true; } | sort -r | xargs -r -n1 umount -l
    rm -rf "$work"
    exit "$rc"
  }
  trap cleanup EXIT
  root="$work/rootfs"
  echo "debootstrap --variant=minbase $suite from $mirror"
  DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase "$suite" "$root" "$mirror" \
    </dev/null >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

  # the same sources as Debian's own images: release, updates, security
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # "slim": keep packages from installing what a container does not read
  cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  # and no package files kept after installing, as in Debian's container images
  cat >"$root/etc/apt/apt.conf.d/container-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{groff,info,linda,lintian,locale,man}/*
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root"/var/log/apt/*
  # the container engine provides these at run time
  rm -f "$root/etc/hostname" "$root/etc/resolv.conf"
  : >"$root/etc/hosts"

  out="${tarball:-$work/rootfs.tar}"
  tar --numeric-owner -C "$root" -cf "$out.partial" .
  mv "$out.partial" "$out"
  tarball="$out"
fi

echo "importing $tarball as $image"
"$engine" import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "$tarball" "$image" >/dev/null
