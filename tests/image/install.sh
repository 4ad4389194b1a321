#!/bin/sh
# install.sh: run inside the image's root (chroot) at image build time, in
# /root, with the packages in ./debs/. These are the README's "Installing
# in a guest image" steps, word for word: keep the two in step.
set -eu

export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends \
	./debs/kcollapse-dkms_*.deb ./debs/libkcollapse1_*.deb \
	./debs/kcollapsectl_*.deb ./debs/kcollapsed_*.deb
kcollapsed-token --generate >/dev/null
