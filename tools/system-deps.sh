#!/usr/bin/env bash
# Debian packages the project needs beyond PyPI: zbar (QR decoding in tests), Chromium (browser tests).
# Installs only what is missing; needs root (or sudo) for apt-get.
set -euo pipefail
need=()
[ -e /usr/lib/x86_64-linux-gnu/libzbar.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libzbar.so.0 ] \
  || ldconfig -p 2>/dev/null | grep -q libzbar.so.0 || need+=(libzbar0)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# The one CJK font (posters, PDFs, browser tests): Debian's fonts-noto-cjk, checked by SHA-256 (docs/dependencies.md).
FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc FONT_SHA256=b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a
[ -e "$FONT" ] || need+=(fonts-noto-cjk)
check_font() { echo "$FONT_SHA256  $FONT" | sha256sum -c --quiet - >/dev/null 2>&1 \
  || echo "警告：$FONT 与登记的 SHA-256 不一致，海报会拒绝使用它（见 docs/dependencies.md）" >&2; }
if [ ${#need[@]} -eq 0 ]; then check_font; exit 0; fi
echo "安装系统依赖：${need[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "缺少系统依赖 ${need[*]}，请以 root 身份运行：apt-get install -y ${need[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
check_font
