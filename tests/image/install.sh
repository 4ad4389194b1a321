#!/bin/sh
# install.sh TARBALL KERNELVER: run inside the image's root (chroot) at image
# build time. These are the README's "Installing in a guest image" steps,
# word for word: keep the two in step.
set -eu
tarball=$1
KVER=$2

cd /root
tar xzf "$tarball"
cd "$(basename "$tarball" .tar.gz)"
make dkms-install KERNELVER="$KVER"
make install PREFIX=/usr
kcollapsed-token --generate >/dev/null
systemctl enable kcollapsed.service kcollapsed.path
