// The synth driver: plan the district, generate communities on worker threads, and hand the
// batches to the sink in a fixed order, making resident IDs and organisation codes unique.
#include "libgrid/synth.hpp"

#include "detail/synth_internal.hpp"
#include "detail/vectors.hpp"

#include "libgrid/codes.hpp"
#include "libgrid/error.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace grid::synth {

void Options::check() const {
    if (households < min_households || households > max_households) {
        throw usage_error("--households must be between " + std::to_string(min_households) + " and " +
                              std::to_string(max_households) + ", not " + std::to_string(households),
                          "a micro-grid holds 50-100 households, so the smallest district is one micro-grid");
    }
}

void Counts::add(const Batch& b) {
    auto bump = [&](const char* layer, std::size_t n) { layers[layer] += static_cast<std::int64_t>(n); };
    bump("division", b.divisions.size());
    bump("grid", b.grids.size());
    bump("microgrid", b.microgrids.size());
    bump("building", b.buildings.size());
    bump("address", b.addresses.size());
    bump("house", b.houses.size());
    bump("person", b.persons.size());
    bump("org", b.orgs.size());
    bump("road", b.roads.size());
    bump("compound", b.compounds.size());
    for (const auto& building : b.buildings) {
        households += building.households;
    }
}

bool is_workspace_path(const std::string& out) {
    const std::string ext = ".sqlite";
    return out.size() > ext.size() && out.compare(out.size() - ext.size(), ext.size(), ext) == 0;
}

namespace detail {

// --- Finisher ---------------------------------------------------------------------------------

Finisher::Finisher(std::size_t expected_persons) {
    std::size_t n = 1024;
    while (n < expected_persons * 2) {
        n *= 2;
    }
    m_slots.assign(n, 0);
}

bool Finisher::insert(std::uint64_t key) {
    if ((m_count + 1) * 2 > m_slots.size()) {
        std::vector<std::uint64_t> old(m_slots.size() * 2, 0);
        old.swap(m_slots);
        m_count = 0;
        for (std::uint64_t k : old) {
            if (k != 0) {
                insert(k);
            }
        }
    }
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        if (m_slots[i] == key) {
            return false;
        }
        if (m_slots[i] == 0) {
            m_slots[i] = key;
            ++m_count;
            return true;
        }
    }
}

namespace {

std::uint64_t id_key(const std::string& id) { return std::stoull(id.substr(0, 17)); }

} // namespace

void Finisher::finish(Batch& batch) {
    for (auto& person : batch.persons) {
        int tries = 0;
        while (!insert(id_key(person.id_number))) {
            // Same area, birth date and sex: take the next sequence of the same parity.
            const int seq = (std::stoi(person.id_number.substr(14, 3)) + 2) % 1000;
            std::string first17 = person.id_number.substr(0, 14) + std::to_string(1000 + seq).substr(1);
            person.id_number = first17 + codes::resident_id_check_char(first17);
            if (++tries > 500) {
                throw error("synth: internal error: no free resident ID sequence left");
            }
        }
    }
    // USCC: 9 (工商) + 1 (企业) or 2 (个体工商户) + 321202 + organisation code MA + 6 characters
    // (a bijective scramble of the district's organisation number) + GB 11714 check + GB 32100 check.
    static constexpr char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    constexpr std::uint64_t space = 31ULL * 31 * 31 * 31 * 31 * 31;
    for (auto& org : batch.orgs) {
        const std::uint64_t n = m_orgs++;
        const bool company = org.type == "企业";
        org.name = org_name(n, company);
        std::uint64_t k = (n * 48271 + 12345) % space; // 48271 is prime and not 31: a bijection of [0, 31^6)
        std::string body = "MA";
        std::string tail;
        for (int d = 0; d < 6; ++d) {
            tail += alphabet[k % 31];
            k /= 31;
        }
        body += std::string(tail.rbegin(), tail.rend());
        const std::string org_code = body + codes::org_code_check_char(body);
        const std::string first17 = std::string("9") + (company ? '1' : '2') + "321202" + org_code;
        org.uscc = first17 + codes::uscc_check_char(first17);
    }
}

} // namespace detail

using grid::detail::move_into;

Counts generate(const Options& options, const std::function<void(Batch&&)>& sink) {
    const detail::Plan plan = detail::make_plan(options);
    Counts counts;
    {
        Batch zones = detail::zone_rows(plan);
        counts.add(zones);
        sink(std::move(zones));
    }
    const int n = static_cast<int>(plan.communities.size());
    detail::Finisher finisher(static_cast<std::size_t>(options.households) * 3);
    std::uint64_t done = 0;
    auto deliver = [&](Batch&& b) {
        finisher.finish(b);
        counts.add(b);
        for (const auto& building : b.buildings) {
            done += static_cast<std::uint64_t>(building.households);
        }
        sink(std::move(b));
        if (options.progress) {
            options.progress("synth", done, static_cast<std::uint64_t>(options.households));
        }
    };
    unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max(1, n)));
    if (threads <= 1) {
        for (int c = 0; c < n; ++c) {
            deliver(detail::community_rows(plan, c));
        }
        return counts;
    }

    // Workers generate communities in any order, at most `window` ahead of the consumer; the
    // consumer (this thread) hands them on in community order.
    std::mutex mutex;
    std::condition_variable cv;
    std::map<int, Batch> ready;
    std::exception_ptr failure;
    int next = 0;
    int consumed = 0;
    bool stop = false;
    const int window = static_cast<int>(threads) * 2;
    auto work = [&] {
        while (true) {
            int c = 0;
            {
                std::unique_lock<std::mutex> lock(mutex);
                cv.wait(lock, [&] { return stop || next >= n || next < consumed + window; });
                if (stop || next >= n) {
                    return;
                }
                c = next++;
            }
            try {
                Batch b = detail::community_rows(plan, c);
                std::lock_guard<std::mutex> lock(mutex);
                ready.emplace(c, std::move(b));
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!failure) {
                    failure = std::current_exception();
                }
                stop = true;
            }
            cv.notify_all();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
        pool.emplace_back(work);
    }
    auto join = [&] {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stop = true;
        }
        cv.notify_all();
        for (auto& t : pool) {
            if (t.joinable()) {
                t.join();
            }
        }
    };
    try {
        for (int c = 0; c < n; ++c) {
            Batch b;
            {
                std::unique_lock<std::mutex> lock(mutex);
                cv.wait(lock, [&] { return failure || ready.count(c) != 0; });
                if (failure) {
                    std::rethrow_exception(failure);
                }
                auto it = ready.find(c);
                b = std::move(it->second);
                ready.erase(it);
                consumed = c + 1;
            }
            cv.notify_all();
            deliver(std::move(b));
        }
    } catch (...) {
        join();
        throw;
    }
    join();
    return counts;
}

Batch generate(const Options& options) {
    Batch all;
    generate(options, [&](Batch&& b) {
        move_into(all.divisions, b.divisions);
        move_into(all.grids, b.grids);
        move_into(all.microgrids, b.microgrids);
        move_into(all.roads, b.roads);
        move_into(all.compounds, b.compounds);
        move_into(all.buildings, b.buildings);
        move_into(all.addresses, b.addresses);
        move_into(all.houses, b.houses);
        move_into(all.persons, b.persons);
        move_into(all.orgs, b.orgs);
    });
    return all;
}

} // namespace grid::synth
