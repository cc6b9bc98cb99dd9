// Doorplate key files: generation from libsodium's randombytes, a small text format, created
// 0600 with O_EXCL (or replaced atomically), read with a warning when others can read them.
// Key material never goes into a message: parse errors name the file and line, not the text.
#include "libgrid/doorplate.hpp"

#include "libgrid/error.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace grid::doorplate {

namespace {

constexpr std::string_view format_line = "gridkit-doorplate-key 1";

void init_sodium() {
    if (sodium_init() < 0) {
        throw error("libsodium could not be initialised", "check that the system has a working random source");
    }
}

bool valid_kid(std::string_view kid) {
    if (kid.empty() || kid.size() > 8) {
        return false;
    }
    for (char c : kid) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return true;
}

template <std::size_t N> std::string to_hex(const std::array<std::uint8_t, N>& bin) {
    std::string hex(N * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bin.data(), N);
    hex.pop_back();
    return hex;
}

template <std::size_t N> bool from_hex(const std::string& hex, std::array<std::uint8_t, N>& bin) {
    std::size_t len = 0;
    if (hex.size() != N * 2) {
        return false;
    }
    return sodium_hex2bin(bin.data(), N, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == N;
}

std::string key_text(const Key& key, bool public_only) {
    std::string text;
    if (public_only) {
        text += "# gridkit doorplate PUBLIC key: checks signed plates offline; cannot make plates.\n";
    } else {
        text += "# gridkit doorplate key: SECRET. Keep it mode 0600; whoever has it can make valid plates.\n";
    }
    text += std::string(format_line) + "\n";
    text += "kid " + key.kid + "\n";
    if (!public_only && key.has_hmac) {
        text += "hmac-sha256 " + to_hex(key.hmac) + "\n";
    }
    if (key.has_sign_public) {
        text += "ed25519-public " + to_hex(key.sign_public) + "\n";
    }
    if (!public_only && key.has_sign_secret) {
        text += "ed25519-secret " + to_hex(key.sign_secret) + "\n";
    }
    return text;
}

void write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw io_error(path, std::string("cannot write: ") + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        throw io_error(path, std::string("cannot write: ") + std::strerror(errno));
    }
}

} // namespace

Key::~Key() {
    sodium_memzero(hmac.data(), hmac.size());
    sodium_memzero(sign_secret.data(), sign_secret.size());
}

Key generate_key(const std::string& kid) {
    init_sodium();
    Key key;
    if (kid.empty()) {
        static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        for (int i = 0; i < 4; ++i) {
            key.kid += alphabet[randombytes_uniform(32)];
        }
    } else if (!valid_kid(kid)) {
        throw usage_error("key id '" + kid + "' must be 1-8 characters of 0-9 and A-Z",
                          "key ids go into the QR code, which stays small with digits and capitals only");
    } else {
        key.kid = kid;
    }
    randombytes_buf(key.hmac.data(), key.hmac.size());
    key.has_hmac = true;
    // The Ed25519 key pair from a random seed (crypto_sign_ed25519_keypair draws it from randombytes).
    crypto_sign_ed25519_keypair(key.sign_public.data(), key.sign_secret.data());
    key.has_sign_public = true;
    key.has_sign_secret = true;
    return key;
}

void write_key_file(const Key& key, const std::string& path, bool overwrite, bool public_only) {
    init_sodium();
    std::string text = key_text(key, public_only);
    const mode_t mode = public_only ? 0644 : 0600;
    if (!overwrite) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0) {
            const int err = errno;
            sodium_memzero(text.data(), text.size());
            if (err == EEXIST) {
                throw io_error(path, "already exists", "use --overwrite to replace it (plates made with it will no "
                                                       "longer verify), or choose another file name");
            }
            throw io_error(path, std::string("cannot create: ") + std::strerror(err));
        }
        try {
            ::fchmod(fd, mode); // whatever the umask said
            write_all(fd, text, path);
        } catch (...) {
            ::close(fd);
            ::unlink(path.c_str());
            sodium_memzero(text.data(), text.size());
            throw;
        }
        sodium_memzero(text.data(), text.size());
        if (::close(fd) != 0) {
            throw io_error(path, std::string("cannot write: ") + std::strerror(errno));
        }
        return;
    }
    // Replace atomically: a new 0600 file beside it, then rename over the old one.
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
        const int err = errno;
        sodium_memzero(text.data(), text.size());
        throw io_error(path, std::string("cannot create a temporary file beside it: ") + std::strerror(err));
    }
    try {
        ::fchmod(fd, mode);
        write_all(fd, text, path);
        if (::close(fd) != 0) {
            throw io_error(path, std::string("cannot write: ") + std::strerror(errno));
        }
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            throw io_error(path, std::string("cannot replace: ") + std::strerror(errno));
        }
    } catch (...) {
        ::unlink(tmp.c_str());
        sodium_memzero(text.data(), text.size());
        throw;
    }
    sodium_memzero(text.data(), text.size());
}

KeyFile read_key_file(const std::string& path) {
    init_sodium();
    KeyFile result;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw io_error(path, std::string("cannot read the key file: ") + std::strerror(errno),
                       "make one with 'gridkit key gen -o " + path + "'");
    }
    if (!S_ISREG(st.st_mode)) {
        throw io_error(path, "is not a regular file", "give the key file written by 'gridkit key gen'");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw io_error(path, std::string("cannot read the key file: ") + std::strerror(errno));
    }
    const std::string hint = "give the file written by 'gridkit key gen'; a damaged key file cannot be repaired";
    Key& key = result.key;
    std::string line;
    std::int64_t row = 0;
    bool header = false;
    while (std::getline(in, line)) {
        ++row;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (!header) {
            if (line != format_line) {
                sodium_memzero(line.data(), line.size());
                throw parse_error(path, row, "", "not a gridkit doorplate key file (no '" + std::string(format_line) +
                                                     "' line)", hint);
            }
            header = true;
            continue;
        }
        const std::size_t space = line.find(' ');
        const std::string name = line.substr(0, space);
        std::string value = space == std::string::npos ? std::string() : line.substr(space + 1);
        bool ok = true;
        if (name == "kid") {
            ok = valid_kid(value);
            key.kid = value;
        } else if (name == "hmac-sha256") {
            ok = key.has_hmac = from_hex(value, key.hmac);
        } else if (name == "ed25519-public") {
            ok = key.has_sign_public = from_hex(value, key.sign_public);
        } else if (name == "ed25519-secret") {
            ok = key.has_sign_secret = from_hex(value, key.sign_secret);
        } else {
            ok = false;
        }
        sodium_memzero(value.data(), value.size());
        sodium_memzero(line.data(), line.size());
        if (!ok) {
            // Name the field, never its value.
            throw parse_error(path, row, name.size() <= 20 ? name : std::string(),
                              name == "kid" || name == "hmac-sha256" || name == "ed25519-public" ||
                                      name == "ed25519-secret"
                                  ? "malformed value"
                                  : "unknown field",
                              hint);
        }
    }
    if (!header) {
        throw parse_error(path, 0, "", "not a gridkit doorplate key file (empty)", hint);
    }
    if (key.kid.empty()) {
        throw parse_error(path, 0, "kid", "no key id", hint);
    }
    if (!key.has_hmac && !key.has_sign_public) {
        throw parse_error(path, 0, "", "has neither an HMAC secret nor an Ed25519 public key", hint);
    }
    if (key.has_sign_secret) {
        // libsodium's secret key ends with the public key: they must agree.
        std::array<std::uint8_t, 32> derived{};
        crypto_sign_ed25519_sk_to_pk(derived.data(), key.sign_secret.data());
        if (key.has_sign_public && sodium_memcmp(derived.data(), key.sign_public.data(), 32) != 0) {
            throw parse_error(path, 0, "ed25519-public", "does not belong to the Ed25519 secret key", hint);
        }
        key.sign_public = derived;
        key.has_sign_public = true;
    }
    if ((key.has_hmac || key.has_sign_secret) && (st.st_mode & 077) != 0) {
        std::ostringstream mode;
        mode << std::oct << (st.st_mode & 0777);
        result.warnings.push_back(path + ": key file is readable by group or others (mode 0" + mode.str() +
                                  "): run 'chmod 600 " + path + "'");
    }
    return result;
}

} // namespace grid::doorplate
