// Doorplate key files: mode 0600, O_EXCL unless overwriting, round trip, warnings for loose
// permissions, errors that never quote key material.
#include "libgrid/doorplate.hpp"
#include "libgrid/error.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sodium.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace grid::doorplate;
namespace fs = std::filesystem;
using doorplate_test::TempDir;

namespace {

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777U;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string hex(const std::uint8_t* data, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, n);
    out.pop_back();
    return out;
}

} // namespace

TEST_CASE("key files are written 0600 and read back identical") {
    TempDir dir;
    const fs::path file = dir.path / "plates.key";
    const Key key = generate_key();
    write_key_file(key, file.string(), false);
    CHECK(mode_of(file) == 0600U);
    const KeyFile read = read_key_file(file.string());
    CHECK(read.warnings.empty());
    CHECK(read.key.kid == key.kid);
    CHECK(read.key.has_hmac);
    CHECK(read.key.hmac == key.hmac);
    CHECK(read.key.sign_public == key.sign_public);
    CHECK(read.key.sign_secret == key.sign_secret);
    // A plate made with the file's key verifies with the original and vice versa.
    CHECK(verify(make_payload(read.key, "110105001001000010010101"), {key}).valid());
}

TEST_CASE("an existing key file is never replaced without overwrite") {
    TempDir dir;
    const fs::path file = dir.path / "plates.key";
    const Key first = generate_key();
    write_key_file(first, file.string(), false);
    CHECK_THROWS_AS(write_key_file(generate_key(), file.string(), false), grid::io_error);
    CHECK(read_key_file(file.string()).key.hmac == first.hmac);

    ::chmod(file.c_str(), 0644);
    const Key second = generate_key();
    write_key_file(second, file.string(), true);
    CHECK(mode_of(file) == 0600U);
    CHECK(read_key_file(file.string()).key.hmac == second.hmac);
    // No temporary files left beside it.
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("a key file readable by others gives a warning, not an error") {
    TempDir dir;
    const fs::path file = dir.path / "plates.key";
    write_key_file(generate_key(), file.string(), false);
    ::chmod(file.c_str(), 0644);
    const KeyFile read = read_key_file(file.string());
    REQUIRE(read.warnings.size() == 1);
    CHECK(read.warnings[0].find("chmod 600") != std::string::npos);
}

TEST_CASE("a public key file checks signatures but cannot make plates") {
    TempDir dir;
    const Key key = generate_key();
    const fs::path pub = dir.path / "plates.pub";
    write_key_file(key, pub.string(), false, true);
    const std::string text = slurp(pub);
    CHECK(text.find(hex(key.hmac.data(), key.hmac.size())) == std::string::npos);
    CHECK(text.find(hex(key.sign_secret.data(), 32)) == std::string::npos);
    const KeyFile read = read_key_file(pub.string());
    CHECK(read.warnings.empty()); // nothing secret in it
    CHECK_FALSE(read.key.has_hmac);
    CHECK_FALSE(read.key.has_sign_secret);
    const std::string signed_payload =
        make_payload(key, "110105001001000010010101", default_url_template, Signature::ed25519);
    CHECK(verify(signed_payload, {read.key}).valid());
    CHECK_THROWS_AS(payload_mac(read.key, "110105001001000010010101"), grid::usage_error);
}

TEST_CASE("malformed key files: a parse error naming the file and line, never the key material") {
    TempDir dir;
    const fs::path file = dir.path / "bad.key";
    const Key key = generate_key();
    write_key_file(key, file.string(), false);
    std::string text = slurp(file);
    const std::string secret = hex(key.hmac.data(), key.hmac.size());
    const std::size_t at = text.find(secret);
    REQUIRE(at != std::string::npos);
    text.replace(at + 10, 2, "zz"); // not hex any more
    {
        std::ofstream out(file, std::ios::trunc);
        out << text;
    }
    try {
        read_key_file(file.string());
        FAIL("no error");
    } catch (const grid::parse_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find(file.string()) != std::string::npos);
        CHECK(e.row() > 0);
        CHECK(msg.find(secret.substr(0, 10)) == std::string::npos);
        CHECK(e.status() == grid::exit_status::cannot_run);
    }
    {
        std::ofstream out(file, std::ios::trunc);
        out << "hello\n";
    }
    CHECK_THROWS_AS(read_key_file(file.string()), grid::parse_error);
    CHECK_THROWS_AS(read_key_file((dir.path / "missing.key").string()), grid::io_error);
}
