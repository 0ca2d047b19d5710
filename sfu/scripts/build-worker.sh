#!/usr/bin/env bash
# build-worker.sh - build mediasoup-worker (mediasoup v3 C++ SFU worker) from
# the C++ sources shipped inside the `mediasoup` npm package, against Debian 12
# (bookworm) system libraries. Needs only apt (Debian) and the npm registry:
# no GitHub, no PyPI/pip, no meson wrapdb.
#
# Kaihu: this is the build step of the SFU worker (`npm run setup:sfu`, and
# .ci/run). It is a copy of ../shared/tools/mediasoup/build-worker.sh; what
# Kaihu changed: the version comes from the exact mediasoup pin in
# sfu/package.json, the sources from this clone's node_modules/mediasoup when
# it has that version, the binary goes to a cache directory outside the clone
# (`npm ci` wipes node_modules), `--print-path` prints that path, an up-to-date
# binary is found before apt or npm are touched, and step 6 (installing
# mediasoup into a project) is gone: root package.json denies mediasoup's
# postinstall ("allowScripts": {"mediasoup": false}) and @kaihu/sfu passes the
# binary to mediasoup at run time. @kaihu/sfu computes the same default path
# (sfu/src/worker-bin.ts); keep the two in step.
#
# Usage
#   bash sfu/scripts/build-worker.sh               build if needed, print the binary's path
#   bash sfu/scripts/build-worker.sh --print-path  print where the binary is/goes, build nothing
#
# What it does
#   1. Works out the version (sfu/package.json's pin, or MEDIASOUP_SRC /
#      MEDIASOUP_VERSION) and the output path, and stops early when the binary
#      there carries a stamp of this version + this script's hash.
#   2. apt-get installs the toolchain + -dev packages (only those missing).
#   3. Gets the mediasoup sources: either from an installed package
#      (MEDIASOUP_SRC, default: this clone's node_modules/mediasoup when its
#      version is the pinned one) or via `npm pack mediasoup@VER`.
#   4. In a scratch copy (never in node_modules), replaces the meson
#      subprojects (libuv, openssl, libsrtp3, flatbuffers, abseil-cpp,
#      unordered_dense) with thin shims around Debian's libraries, relaxes
#      meson_version (Debian has meson 1.0.1, mediasoup asks >= 1.1.0), and
#      ports src/RTC/SrtpSession.cpp + src/DepLibSRTP.cpp from the libsrtp3
#      API (versatica fork) to Debian's libsrtp 2.5 API, and fixes the DTLS
#      BIO callback in src/RTC/DtlsTransport.cpp, which crashes the worker on
#      the first DTLS handshake when linked to a KTLS-enabled OpenSSL such as
#      Debian's (see step 4d).
#      For 3.16-3.19 it also maps usrsctp to Debian's libusrsctp-dev and
#      builds with -Dms_disable_liburing=true.
#   5. meson setup (release, -Db_ndebug=true, --wrap-mode=nodownload), flatc
#      header generation, then ninja mediasoup-worker.
#   6. Copies the binary to $OUT_BIN and checks that it starts (exit code 41
#      "you don't seem to be my real father!" = binary OK, run outside Node).
#   The last line on stdout is the binary's path (logs go to stderr).
#
# Idempotent: re-running with the same inputs skips what is already done
# (binary stamp matching version + this script's hash, apt packages present).
#
# Environment variables (all optional)
#   KAIHU_MEDIASOUP_CACHE_DIR  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/kaihu)
#   OUT_BIN / KAIHU_MEDIASOUP_WORKER_BIN
#                      where the binary goes (default
#                      $KAIHU_MEDIASOUP_CACHE_DIR/mediasoup-$VERSION-$SCRIPT_HASH/mediasoup-worker,
#                      SCRIPT_HASH = first 16 hex digits of this file's sha256)
#   MEDIASOUP_VERSION  mediasoup version to build (default: the pin in
#                      sfu/package.json; ignored when MEDIASOUP_SRC is set: the
#                      version is read from there)
#   MEDIASOUP_SRC      path of an installed mediasoup package to build from
#                      (e.g. "$PWD/node_modules/mediasoup"); guarantees the
#                      worker matches the JS layer exactly
#   BUILD_ROOT         scratch dir (default $KAIHU_MEDIASOUP_CACHE_DIR/mediasoup-build)
#   JOBS               ninja parallelism (default: nproc)
#   FORCE=1            rebuild even if the stamp says the binary is up to date
#   SKIP_APT=1         don't touch apt (packages must already be installed)
#
# Tested (Debian 12, Node v20.20.2 and v22.23.3, npm 11.19.1, meson 1.0.1,
# gcc 12.2, 2 cores; ~3-3.5 min wall for a clean build, ~5 min when the
# machine is busy): mediasoup 3.27.1 (default) and 3.19.2. Not supported:
# 3.13.11-3.15.x (libsrtp "v3.0-alpha" fork API); <= 3.12.x is untested
# (different subprojects: nlohmann_json, usrsctp, no FlatBuffers).
#
# Runtime: the binary links dynamically to Debian's libuv1, libssl3,
# libsrtp2-1 (NSS backend), libabsl20220623 (and libusrsctp2 for <= 3.19),
# which the -dev packages above pull in; rebuild after major upgrades.
set -euo pipefail

JOBS="${JOBS:-$(nproc)}"
SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
SCRIPT_HASH="$(sha256sum "$SCRIPT_PATH" | cut -c1-16)"
SFU_DIR="$(dirname "$(dirname "$SCRIPT_PATH")")"
REPO_DIR="$(dirname "$SFU_DIR")"
CACHE_DIR="${KAIHU_MEDIASOUP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kaihu}"
BUILD_ROOT="${BUILD_ROOT:-$CACHE_DIR/mediasoup-build}"

log() { printf '\033[1;34m[build-worker]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[build-worker] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

PRINT_PATH=""
case "${1:-}" in
	--print-path) PRINT_PATH=1 ;;
	"") ;;
	*) die "unknown argument: $1 (usage: build-worker.sh [--print-path])" ;;
esac
command -v node >/dev/null || die "node not found"
pkg_version() { node -e 'process.stdout.write(String(require(process.argv[1]).version))' "$1"; }

# --------------------------------------------------------------------------
# 1. version, output path, stamp
# --------------------------------------------------------------------------
if [[ -n "${MEDIASOUP_SRC:-}" ]]; then
	MEDIASOUP_SRC="$(readlink -f "$MEDIASOUP_SRC")"
	[[ -f "$MEDIASOUP_SRC/package.json" && -f "$MEDIASOUP_SRC/worker/meson.build" ]] ||
		die "MEDIASOUP_SRC=$MEDIASOUP_SRC is not a mediasoup package with worker sources"
	VERSION="$(pkg_version "$MEDIASOUP_SRC/package.json")"
else
	PINNED="$(node -e 'process.stdout.write(String(require(process.argv[1]).dependencies?.mediasoup ?? ""))' "$SFU_DIR/package.json")"
	[[ "$PINNED" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "sfu/package.json must pin mediasoup to an exact version (found '$PINNED')"
	VERSION="${MEDIASOUP_VERSION:-$PINNED}"
	INSTALLED="$REPO_DIR/node_modules/mediasoup"
	if [[ -f "$INSTALLED/worker/meson.build" && "$(pkg_version "$INSTALLED/package.json")" == "$VERSION" ]]; then
		MEDIASOUP_SRC="$(readlink -f "$INSTALLED")"
	fi
fi
OUT_BIN="${OUT_BIN:-${KAIHU_MEDIASOUP_WORKER_BIN:-$CACHE_DIR/mediasoup-$VERSION-$SCRIPT_HASH/mediasoup-worker}}"
STAMP="$OUT_BIN.stamp"
STAMP_CONTENT="mediasoup=$VERSION script=$SCRIPT_HASH"
if [[ -n "$PRINT_PATH" ]]; then
	echo "$OUT_BIN"
	exit 0
fi
if [[ -z "${FORCE:-}" && -x "$OUT_BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_CONTENT" ]]; then
	log "$OUT_BIN is up to date ($STAMP_CONTENT), skipping build"
	echo "$OUT_BIN"
	exit 0
fi

# --------------------------------------------------------------------------
# 2. Debian packages
# --------------------------------------------------------------------------
APT_PACKAGES=(
	build-essential pkg-config python3 meson ninja-build
	libuv1-dev libssl-dev libsrtp2-dev libabsl-dev
	flatbuffers-compiler libflatbuffers-dev
)
if [[ -z "${SKIP_APT:-}" ]]; then
	missing=()
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if ((${#missing[@]})); then
		log "apt-get install ${missing[*]}"
		SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
		export DEBIAN_FRONTEND=noninteractive
		timeout 600 $SUDO apt-get update -qq
		timeout 1200 $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		log "apt packages already installed"
	fi
fi
command -v meson >/dev/null || die "meson not found"
command -v flatc >/dev/null || die "flatc not found"

# --------------------------------------------------------------------------
# 3. mediasoup sources
# --------------------------------------------------------------------------
mkdir -p "$BUILD_ROOT/cache" "$BUILD_ROOT/work"
if [[ -z "${MEDIASOUP_SRC:-}" ]]; then
	TARBALL="$BUILD_ROOT/cache/mediasoup-$VERSION.tgz"
	if [[ ! -s "$TARBALL" ]]; then
		log "npm pack mediasoup@$VERSION"
		(cd "$BUILD_ROOT/cache" && timeout 300 npm pack --silent "mediasoup@$VERSION" >/dev/null)
		[[ -s "$TARBALL" ]] || die "npm pack did not produce $TARBALL"
	fi
fi

# --------------------------------------------------------------------------
# 4-6. build (the up-to-date case left in step 1)
# --------------------------------------------------------------------------
{
	SRC="$BUILD_ROOT/work/mediasoup-$VERSION"
	W="$SRC/worker"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	if [[ -n "${MEDIASOUP_SRC:-}" ]]; then
		log "copying worker sources from $MEDIASOUP_SRC"
		cp -a "$MEDIASOUP_SRC/package.json" "$SRC/"
		# Copy the sources only (not a previous worker/out or worker/prebuild).
		(cd "$MEDIASOUP_SRC" && tar --exclude=worker/out --exclude=worker/prebuild -cf - worker) | (cd "$SRC" && tar -xf -)
	else
		log "extracting $TARBALL"
		tar -xzf "$TARBALL" -C "$SRC" --strip-components=1 package/package.json package/worker
	fi

	# Older mediasoup (<= 3.19) also links usrsctp (Debian: libusrsctp-dev).
	if grep -q "subproject('usrsctp'" "$W/meson.build" && [[ -z "${SKIP_APT:-}" ]] &&
		! dpkg-query -W -f='${Status}' libusrsctp-dev 2>/dev/null | grep -q 'install ok installed'; then
		log "apt-get install libusrsctp-dev"
		SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
		DEBIAN_FRONTEND=noninteractive timeout 1200 $SUDO apt-get install -y -qq --no-install-recommends libusrsctp-dev >/dev/null ||
			{ timeout 600 $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 1200 $SUDO apt-get install -y -qq --no-install-recommends libusrsctp-dev >/dev/null; }
	fi

	# -- 4a. meson_version: Debian 12 ships meson 1.0.1 ----------------------
	sed -i -E "s/meson_version *: *'>= *[0-9.]+'/meson_version: '>= 1.0.0'/" "$W/meson.build"

	# -- 4b. replace the meson subprojects by shims over Debian libraries ----
	rm -rf "$W/subprojects"/*.wrap "$W/subprojects/packagefiles"
	mkdir -p "$SRC/shim/include/ankerl" "$SRC/shim/pkgconfig"

	# ankerl::unordered_dense (header-only, not packaged in Debian 12) ->
	# std::unordered_map / std::unordered_set.
	cat >"$SRC/shim/include/ankerl/unordered_dense.h" <<'EOF'
// Stand-in for ankerl/unordered_dense.h (github.com/martinus/unordered_dense),
// which Debian 12 does not package. Maps ankerl::unordered_dense::{map,set,hash}
// onto the standard containers: same semantics for mediasoup's usage (find,
// insert/emplace/try_emplace, erase, contains, iteration); only speed and
// iteration order differ (std containers also give stronger iterator/reference
// stability, so code written for unordered_dense is safe on them).
#ifndef ANKERL_UNORDERED_DENSE_STDLIB_SHIM_H
#define ANKERL_UNORDERED_DENSE_STDLIB_SHIM_H
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
namespace ankerl
{
	namespace unordered_dense
	{
		template<class T, class Enable = void>
		struct hash : std::hash<T>
		{
		};
		template<class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
		         class Allocator = std::allocator<std::pair<const Key, T>>>
		using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;
		template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
		         class Allocator = std::allocator<Key>>
		using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
	} // namespace unordered_dense
} // namespace ankerl
#endif
EOF
	cat >"$SRC/shim/pkgconfig/unordered_dense.pc" <<EOF
Name: unordered_dense
Description: std-library stand-in for ankerl::unordered_dense (mediasoup Debian build)
Version: 4.8.1
Cflags: -I$SRC/shim/include
EOF

	log "generating subproject shims"
	python3 - "$W" <<'PYEOF'
import re, sys
from pathlib import Path

worker = Path(sys.argv[1])
files = [p for p in worker.rglob("meson.build") if "subprojects" not in p.parts]
text = "\n".join(p.read_text() for p in files)

# Built-in meson options that subprojects get for free.
BUILTIN = re.compile(r"^(warning_level|werror|cpp_std|c_std|default_library|buildtype|optimization|debug|b_\w+)$")

# proj_var = subproject('name', ...)   and   proj_var.get_variable('x')
projs = {}
for m in re.finditer(r"(\w+)\s*=\s*subproject\(\s*'([^']+)'(.*?)\)\s*\n", text, re.S):
    var, name, rest = m.groups()
    p = projs.setdefault(name, {"vars": set(), "options": set(), "projvars": set()})
    p["projvars"].add(var)
    om = re.search(r"default_options\s*:\s*\[(.*?)\]", rest, re.S)
    if om:
        for opt in re.findall(r"'([^'=]+)=[^']*'", om.group(1)):
            if not BUILTIN.match(opt):
                p["options"].add(opt)
for name, p in projs.items():
    for pv in p["projvars"]:
        p["vars"].update(re.findall(re.escape(pv) + r"\.get_variable\(\s*'(\w+)'", text))

SRTP = """_srtp2 = dependency('libsrtp2', version: '>= 2.4')
{var} = declare_dependency(
  dependencies: _srtp2,
  compile_args: ['-I' + (_srtp2.get_variable(pkgconfig: 'includedir') / 'srtp2')],
)"""
def absl(*names):
    return "declare_dependency(dependencies: [" + ", ".join(f"dependency('{n}')" for n in names) + "])"
DEPS = {
    "libuv_dep": "dependency('libuv', version: '>= 1.44')",
    "openssl_dep": "dependency('openssl', version: '>= 3.0')",
    "libcrypto_dep": "dependency('libcrypto', version: '>= 3.0')",
    "libssl_dep": "dependency('libssl', version: '>= 3.0')",
    "flatbuffers_dep": "dependency('flatbuffers')",
    "absl_container_dep": absl("absl_flat_hash_map", "absl_flat_hash_set", "absl_inlined_vector"),
    "absl_strings_dep": absl("absl_strings", "absl_str_format"),
    "absl_types_dep": absl("absl_optional", "absl_span", "absl_variant"),
    "absl_base_dep": absl("absl_base", "absl_memory"),
    "absl_hash_dep": absl("absl_hash"),
    "absl_numeric_dep": absl("absl_int128"),
    "usrsctp_dep": "dependency('usrsctp')",
    "nlohmann_json_dep": "dependency('nlohmann_json')",
    "liburing_dep": "dependency('liburing')",
}
# Tests-only / Windows-only / disabled (liburing: -Dms_disable_liburing=true)
# subprojects: some versions call subproject() unconditionally, so give them
# no-op variables; their targets are never built here.
NOOP = {"catch2", "wingetopt", "liburing"}
sub = worker / "subprojects"
sub.mkdir(exist_ok=True)
for name, p in sorted(projs.items()):
    lines = [f"project('{name}', ['c', 'cpp'])", ""]
    for v in sorted(p["vars"]):
        if name in NOOP and (v.endswith("_dep") or v == "uring"):
            lines.append(f"{v} = declare_dependency()")
        elif v.endswith("_dep"):
            if v in ("libsrtp2_dep", "libsrtp3_dep"):
                lines.append(SRTP.format(var=v))
            elif v in DEPS:
                lines.append(f"{v} = {DEPS[v]}")
            elif v.startswith("absl_"):
                lines.append(f"{v} = dependency('{v[:-4]}')")
            else:
                sys.exit(f"shim: don't know which Debian library provides {name}:{v}")
        else:
            # A library object that mediasoup links with link_whole: the real
            # code comes from the system library through the *_dep above.
            lines.append(f"{v} = static_library('{v}_shim', 'shim_empty.c')")
    d = sub / name
    d.mkdir(exist_ok=True)
    (d / "meson.build").write_text("\n".join(lines) + "\n")
    (d / "shim_empty.c").write_text("/* empty: the system library is used instead */\n")
    if p["options"]:
        (d / "meson_options.txt").write_text("".join(
            f"option('{o}', type: 'string', value: '', description: 'ignored (Debian shim)')\n"
            for o in sorted(p["options"])))
    print(f"  shim {name}: {', '.join(sorted(p['vars']))}" + (f" (options: {', '.join(sorted(p['options']))})" if p["options"] else ""))
PYEOF

	# -- 4c. libsrtp3 (versatica fork) API -> Debian libsrtp 2.5 API ---------
	log "porting SRTP code to the libsrtp 2.x API"
	python3 - "$W" <<'PYEOF'
import re, sys
from pathlib import Path

worker = Path(sys.argv[1])
MARK = "/* debian-build: ported to the libsrtp 2.x API */"

def body_span(src, signature):
    i = src.find(signature)
    if i < 0:
        sys.exit(f"srtp-port: signature not found: {signature}")
    j = src.index("{", i + len(signature))
    depth = 0
    for k in range(j, len(src)):
        depth += {"{": 1, "}": -1}.get(src[k], 0)
        if depth == 0:
            return j, k + 1
    sys.exit("srtp-port: unbalanced braces")

def replace_body(src, signature, body):
    a, b = body_span(src, signature)
    return src[:a] + body.strip("\n") + src[b:]

CTOR = r'''
	{
		MS_TRACE();

		srtp_policy_t policy; // NOLINT(cppcoreguidelines-pro-type-member-init)

		std::memset(std::addressof(policy), 0, sizeof(srtp_policy_t));

		switch (cryptoSuite)
		{
			case CryptoSuite::AEAD_AES_256_GCM:
			{
				srtp_crypto_policy_set_aes_gcm_256_16_auth(std::addressof(policy.rtp));
				srtp_crypto_policy_set_aes_gcm_256_16_auth(std::addressof(policy.rtcp));

				break;
			}

			case CryptoSuite::AEAD_AES_128_GCM:
			{
				srtp_crypto_policy_set_aes_gcm_128_16_auth(std::addressof(policy.rtp));
				srtp_crypto_policy_set_aes_gcm_128_16_auth(std::addressof(policy.rtcp));

				break;
			}

			case CryptoSuite::AES_CM_128_HMAC_SHA1_80:
			{
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtp));
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtcp));

				break;
			}

			case CryptoSuite::AES_CM_128_HMAC_SHA1_32:
			{
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(std::addressof(policy.rtp));
				// NOTE: Must be 80 for RTCP.
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtcp));

				break;
			}

			default:
			{
				MS_ABORT("unknown SRTP crypto suite");
			}
		}

		// The key is master key + master salt concatenated, as in libsrtp3.
		MS_ASSERT(
		  static_cast<int>(keyLen) == policy.rtp.cipher_key_len,
		  "given keyLen does not match policy.rtp.cipher_key_len");

		switch (type)
		{
			case Type::INBOUND:
			{
				policy.ssrc.type = ssrc_any_inbound;

				break;
			}

			case Type::OUTBOUND:
			{
				policy.ssrc.type = ssrc_any_outbound;

				break;
			}
		}

		policy.ssrc.value = 0;
		policy.key        = key;
		// Required for sending RTP retransmission without RTX.
		policy.allow_repeat_tx = 1;
		policy.window_size     = 1024;
		policy.next            = nullptr;

		const srtp_err_status_t err =
		  srtp_create(std::addressof(this->session), std::addressof(policy));

		if (DepLibSRTP::IsError(err))
		{
			MS_THROW_ERROR("srtp_create() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
		}
	}
'''

ENCRYPT = r'''
	{
		MS_TRACE();

		// Ensure that the resulting packet fits into the encrypt buffer.
		if (static_cast<size_t>(*len) + SRTP_MAX_TRAILER_LEN + 4 > EncryptBufferSize)
		{
			MS_WARN_TAG(srtp, "cannot encrypt WHAT packet, size too big (%zu bytes)", static_cast<size_t>(*len));

			return false;
		}

		// libsrtp 2.x protects in place, so copy the packet into the encrypt buffer.
		std::memcpy(EncryptBuffer, *data, *len);

		int intLen = static_cast<int>(*len);

		const srtp_err_status_t err =
		  FN(this->session, static_cast<void*>(EncryptBuffer), std::addressof(intLen));

		if (DepLibSRTP::IsError(err))
		{
			MS_WARN_TAG(srtp, "FN() failed: %s", DepLibSRTP::GetErrorString(err).c_str());

			return false;
		}

		// Update the given data pointer and len.
		*data = const_cast<const uint8_t*>(EncryptBuffer);
		*len  = static_cast<LENT>(intLen);

		return true;
	}
'''

DECRYPT = r'''
	{
		MS_TRACE();

		int intLen = static_cast<int>(*len);

		const srtp_err_status_t err =
		  FN(this->session, static_cast<void*>(data), std::addressof(intLen));

		if (DepLibSRTP::IsError(err))
		{
			MS_DEBUG_TAG(srtp, "FN() failed: %s", DepLibSRTP::GetErrorString(err).c_str());

			return false;
		}

		// Update the given len.
		*len = static_cast<LENT>(intLen);

		return true;
	}
'''

p = worker / "src/RTC/SrtpSession.cpp"
src = p.read_text()
NEW_PROTECT = re.search(r"srtp_protect\(\s*/\*srtp_t ctx\*/", src) is not None
if MARK in src:
    pass
elif "srtp_policy_create" in src or NEW_PROTECT:
    m = re.search(r"bool SrtpSession::EncryptRtp\(const uint8_t\*\* data, (\w+)\* len\)", src)
    if not m:
        sys.exit("srtp-port: EncryptRtp() signature not recognised")
    lt = m.group(1)
    enc = lambda fn, what: ENCRYPT.replace("FN", fn).replace("WHAT", what).replace("LENT", lt)
    dec = lambda fn: DECRYPT.replace("FN", fn).replace("LENT", lt)
    if "srtp_policy_create" in src:
        # mediasoup >= 3.20: opaque libsrtp3 policy API -> struct srtp_policy_t.
        src = replace_body(src, "SrtpSession::SrtpSession(Type type, CryptoSuite cryptoSuite, uint8_t* key, size_t keyLen)", CTOR)
    # (mediasoup 3.16-3.19 already fill a struct srtp_policy_t, which libsrtp 2 has too.)
    src = replace_body(src, f"bool SrtpSession::EncryptRtp(const uint8_t** data, {lt}* len)", enc("srtp_protect", "RTP"))
    src = replace_body(src, f"bool SrtpSession::DecryptSrtp(uint8_t* data, {lt}* len)", dec("srtp_unprotect"))
    src = replace_body(src, f"bool SrtpSession::EncryptRtcp(const uint8_t** data, {lt}* len)", enc("srtp_protect_rtcp", "RTCP"))
    src = replace_body(src, f"bool SrtpSession::DecryptSrtcp(uint8_t* data, {lt}* len)", dec("srtp_unprotect_rtcp"))
    if "srtp_policy_" in src.replace("srtp_policy_t", ""):
        sys.exit("srtp-port: libsrtp3 policy API still referenced after the port")
    src = src.replace('#include "MediaSoupErrors.hpp"\n',
                      '#include "MediaSoupErrors.hpp"\n#include <cstring> // std::memcpy(), std::memset()\n#include <memory>  // std::addressof()\n', 1)
    p.write_text(MARK + "\n" + src)
    print("  ported src/RTC/SrtpSession.cpp")
elif re.search(r"srtp_protect\(\s*this->session\s*,\s*static_cast<void\*>", src):
    print("  SrtpSession.cpp already uses the libsrtp 2.x API")
else:
    sys.exit("srtp-port: unknown libsrtp API variant in SrtpSession.cpp (3.13.11-3.15.x 'v3.0-alpha' fork: not supported)")

# Error codes that only exist in libsrtp 3.
p = worker / "src/DepLibSRTP.cpp"
src = p.read_text()
new = re.sub(r"^[ \t]*\{ *srtp_err_status_(buffer_small|cryptex_err)\b.*\n", "", src, flags=re.M)
if new != src:
    p.write_text(new)
    print("  removed libsrtp3-only error codes from src/DepLibSRTP.cpp")

# srtp_stream_remove() (libsrtp 3) is srtp_remove_stream() in libsrtp 2.
p = worker / "include/RTC/SrtpSession.hpp"
src = p.read_text()
if "srtp_stream_remove(" in src:
    p.write_text(src.replace("srtp_stream_remove(", "srtp_remove_stream("))
    print("  srtp_stream_remove -> srtp_remove_stream in include/RTC/SrtpSession.hpp")
PYEOF

	# -- 4d. DTLS fix for KTLS-enabled OpenSSL (Debian's libssl3) -------------
	# mediasoup's onSslBioOut() BIO callback (mediasoup >= 3.13.x) returns 1 for
	# every post-operation call, so BIO_get_ktls_send() on the DTLS write BIO
	# answers "yes" when OpenSSL is built with KTLS (Debian: no OPENSSL_NO_KTLS;
	# mediasoup's own OpenSSL wrap has KTLS off). libssl then skips allocating
	# its record write buffer and the worker SIGSEGVs (NULL write in libssl,
	# under SSL_read in DtlsTransport::ProcessDtlsData) on the first DTLS
	# handshake with a real WebRTC peer. Fix: return the BIO's real answer for
	# the KTLS queries; every other path is left exactly as upstream.
	log "patching DTLS BIO callback for KTLS-enabled OpenSSL"
	python3 - "$W" <<'PYEOF'
import re, sys
from pathlib import Path

p = Path(sys.argv[1]) / "src/RTC/DtlsTransport.cpp"
src = p.read_text()
MARK = "debian-build: KTLS-enabled OpenSSL"
if MARK in src:
    sys.exit(0)
i = src.find("static long onSslBioOut(")
if i < 0:
    print("  no onSslBioOut() BIO callback in this version, nothing to patch")
    sys.exit(0)
# Parameter list: from the '(' to its matching ')'; the body starts at the next '{'.
j = src.index("(", i)
depth = 0
for k in range(j, len(src)):
    depth += {"(": 1, ")": -1}.get(src[k], 0)
    if depth == 0:
        break
sig = src[j:k + 1]
brace = src.index("{", k)
if not re.search(r"int\s*/\*\s*argi\s*\*/\s*,", sig) or "operationType" not in sig or "int ret" not in sig:
    sys.exit("dtls-patch: unexpected onSslBioOut() signature")
new_sig = re.sub(r"int\s*/\*\s*argi\s*\*/\s*,", "int argi,", sig, count=1)
block = """
#ifndef OPENSSL_NO_KTLS
	// debian-build: KTLS-enabled OpenSSL asks the write BIO whether kernel TLS
	// is active. Return the BIO's real answer (0 for a memory BIO) instead of
	// 1, otherwise libssl never allocates its record write buffer and crashes
	// when sending the first DTLS handshake flight.
	if (
	  operationType == (BIO_CB_CTRL | BIO_CB_RETURN) &&
	  (argi == BIO_CTRL_GET_KTLS_SEND || argi == BIO_CTRL_GET_KTLS_RECV))
	{
		return static_cast<long>(ret);
	}
#endif
"""
src = src[:j] + new_sig + src[k + 1:brace + 1] + block + src[brace + 1:]
p.write_text(src)
print("  patched onSslBioOut() in src/RTC/DtlsTransport.cpp")
PYEOF

	# -- 5. configure + compile ----------------------------------------------
	log "meson setup"
	cd "$W"
	extra_opts=()
	# mediasoup 3.14-3.19 optionally use liburing (kernel >= 6); its SRTP code
	# path for liburing is not ported, so turn it off (the 3.20+ default).
	grep -q "ms_disable_liburing" meson_options.txt && extra_opts+=(-Dms_disable_liburing=true)
	PKG_CONFIG_PATH="$SRC/shim/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
		timeout 600 meson setup \
		--buildtype release -Db_ndebug=true \
		--wrap-mode=nodownload \
		"${extra_opts[@]}" \
		out/Release >"$SRC/meson-setup.log" 2>&1 ||
		{ tail -40 "$SRC/meson-setup.log" >&2; die "meson setup failed (see $SRC/meson-setup.log)"; }
	log "ninja -j$JOBS mediasoup-worker (clean build: ~3.5 min on 2 idle cores)"
	start=$(date +%s)
	# Generate the FlatBuffers headers first, as upstream's tasks.py does
	# (mediasoup <= 3.19 doesn't order the C++ compilation after flatc).
	if grep -rqs "'flatbuffers-generator'" "$W/fbs"; then
		timeout 600 meson compile -C out/Release flatbuffers-generator >"$SRC/flatc.log" 2>&1 ||
			{ tail -20 "$SRC/flatc.log" >&2; die "flatc generation failed (see $SRC/flatc.log)"; }
	fi
	timeout 3600 ninja -C out/Release -j"$JOBS" mediasoup-worker >"$SRC/ninja.log" 2>&1 ||
		{ grep -E "error|Error" "$SRC/ninja.log" | head -40 >&2; die "compilation failed (see $SRC/ninja.log)"; }
	log "compiled in $(($(date +%s) - start)) s"

	# -- 6. install the binary + sanity check -------------------------------
	mkdir -p "$(dirname "$OUT_BIN")"
	install -m 0755 "$W/out/Release/mediasoup-worker" "$OUT_BIN.tmp"
	set +e
	env -u MEDIASOUP_VERSION "$OUT_BIN.tmp" >/dev/null 2>&1
	rc=$?
	set -e
	[[ $rc -eq 41 ]] || die "sanity check failed: mediasoup-worker exited with $rc (expected 41)"
	mv -f "$OUT_BIN.tmp" "$OUT_BIN"
	echo "$STAMP_CONTENT" >"$STAMP"
	log "built $OUT_BIN"
}

echo "$OUT_BIN"
