// bench_make_requests: writes a wrk Lua script that posts N pre-signed Twilio
// inbound-message webhooks, the way Twilio posts them.
//
// Each request has a distinct MessageSid (SM + 32 hex), comes From one of 500
// numbers (+447700900500 … +447700900999, Ofcom's range for drama), carries a Body
// drawn from a mix of short and long texts in the helpline's languages (Arabic among
// them), the other parameters Twilio sends for an SMS, and the X-Twilio-Signature
// computed with the gateway's own compute_twilio_signature over `--url` + path.
//
// The requests are embedded in the script as one long string ("signature<TAB>body"
// a line), which LuaJIT parses without the constant-table limits a huge table
// literal would hit. wrk thread k of --threads sends the k-th slice, cycling when it
// runs out (a repeat is a duplicate to the gateway: stored once, answered once). The
// script's done() prints "bench_requests sent=N distinct=D wrapped=0|1".
//
// Usage: bench_make_requests --url http://127.0.0.1:PORT --account-sid AC… --count N
//          --out FILE.lua [--channel bench] [--threads 2] [--to +447700900000]
//        The auth token comes from the environment variable BENCH_TWILIO_TOKEN.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/content/sms_encoding.h"
#include "gateway/core/form_encoding.h"
#include "gateway/core/ids.h"

namespace {

struct Options {
  std::string url;
  std::string channel = "bench";
  std::string account_sid;
  std::string to = "+447700900000";
  std::string out;
  long count = 0;
  int threads = 2;
};

// What people text a helpline, weighted roughly as it arrives: mostly short first
// messages and menu answers, then free text, some of it long enough for several SMS.
struct BodyChoice {
  const char* text;
  int weight;
};
const BodyChoice kBodies[] = {
    {"Hi", 8},
    {"Hello, I need help", 6},
    {"1", 8},
    {"2", 5},
    {"3", 3},
    {"yes", 4},
    {"no", 2},
    {"HELP", 2},
    {"STOP", 1},
    {"START", 1},
    {"مرحبا", 6},
    {"أحتاج مساعدة من فضلك", 5},
    {"نعم", 3},
    {"١", 3},
    {"صاحب العمل أخذ جواز سفري ولا يدفع لي منذ ثلاثة أشهر. أعمل كل يوم من الصباح حتى الليل. "
     "ماذا يمكنني أن أفعل؟ لا أريد أن تعرف الشرطة مكاني.",
     3},
    {"سلام، کمک می‌خواهم", 3},
    {"Bonjour, j'ai besoin d'aide", 3},
    {"On m'a pris mes papiers et je dois de l'argent à l'homme qui m'a amené ici. Est-ce que "
     "j'ai le droit de partir ?",
     2},
    {"Добрий день, мені потрібна допомога", 2},
    {"ሰላም፣ ሓገዝ የድልየኒ", 2},
    {"Salaan, waxaan u baahanahay caawimaad", 2},
    {"Ciao, ho bisogno di aiuto", 1},
    {"I work at a car wash, they keep my passport and say I owe them £3,000 for the travel. "
     "I sleep at the place with 6 other men and we are not allowed to leave. Can you help me? "
     "I am scared they will find out I am texting you. Please do not call this number.",
     2},
    {"What are my rights if I don't have a visa?", 2},
};

bool parse_args(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&](std::string* v) {
      if (i + 1 >= argc) return false;
      *v = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--url" && next(&o->url)) continue;
    if (a == "--channel" && next(&o->channel)) continue;
    if (a == "--account-sid" && next(&o->account_sid)) continue;
    if (a == "--to" && next(&o->to)) continue;
    if (a == "--out" && next(&o->out)) continue;
    if (a == "--count" && next(&v)) {
      o->count = std::atol(v.c_str());
      continue;
    }
    if (a == "--threads" && next(&v)) {
      o->threads = std::atoi(v.c_str());
      continue;
    }
    return false;
  }
  return !o->url.empty() && !o->account_sid.empty() && !o->out.empty() && o->count > 0 && o->threads > 0 &&
         o->count >= o->threads;
}

// What Twilio posts for an SMS: every parameter, empty ones included (they are signed too).
gw::FormFields inbound_form(const Options& o, const std::string& sid, const std::string& from,
                            const std::string& body) {
  const gw::SegmentCount seg = gw::count_segments(body);
  return {
      {"ToCountry", "GB"},
      {"ToState", ""},
      {"SmsMessageSid", sid},
      {"NumMedia", "0"},
      {"ToCity", ""},
      {"FromZip", ""},
      {"SmsSid", sid},
      {"FromState", ""},
      {"SmsStatus", "received"},
      {"FromCity", ""},
      {"Body", body},
      {"FromCountry", "GB"},
      {"To", o.to},
      {"ToZip", ""},
      {"NumSegments", std::to_string(seg.segments)},
      {"ReferralNumMedia", "0"},
      {"MessageSid", sid},
      {"AccountSid", o.account_sid},
      {"From", from},
      {"ApiVersion", "2010-04-01"},
  };
}

// The Lua around the data. Kept free of "]==]" so the data's long bracket is safe;
// url-encoded bodies and base64 signatures never contain ']' at all.
const char* kLuaHead = R"LUA(-- Generated by bench_make_requests: pre-signed Twilio inbound webhooks for wrk.
-- Thread k of NTHREADS sends the k-th slice of the requests, cycling when it runs out.
local path = "%PATH%"
local nthreads = %THREADS%
local data = [==[
)LUA";

const char* kLuaTail = R"LUA(]==]

local threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local requests = {}
local pos = 0
local verified = false
sent = 0   -- globals: done() reads them through thread:get
slice = 0

function init(args)
  local lines = {}
  for line in data:gmatch("[^\n]+") do lines[#lines + 1] = line end
  data = nil
  local k = id % nthreads
  local first = math.floor(#lines * k / nthreads) + 1
  local last = math.floor(#lines * (k + 1) / nthreads)
  for i = first, last do
    local sig, body = lines[i]:match("^([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = sig,
    }, body)
  end
  slice = #requests
  lines = nil
  collectgarbage()
end

function request()
  -- wrk calls request() once on thread 0 to check the script; that one is not sent.
  if id == 0 and not verified then
    verified = true
    return requests[1]
  end
  local r = requests[pos + 1]
  pos = (pos + 1) % #requests
  sent = sent + 1
  return r
end

function done(summary, latency, reqs)
  local total, distinct, wrapped = 0, 0, 0
  for _, t in ipairs(threads) do
    local s, n = t:get("sent"), t:get("slice")
    total = total + s
    distinct = distinct + math.min(s, n)
    if s > n then wrapped = 1 end
  end
  io.write(string.format("bench_requests sent=%d distinct=%d wrapped=%d\n", total, distinct, wrapped))
end
)LUA";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, &o)) {
    std::cerr << "usage: bench_make_requests --url BASE --account-sid AC... --count N --out FILE.lua "
                 "[--channel ID] [--threads T] [--to NUMBER]   (token from BENCH_TWILIO_TOKEN)\n";
    return 2;
  }
  const char* token = std::getenv("BENCH_TWILIO_TOKEN");
  if (!token || !*token) {
    std::cerr << "bench_make_requests: BENCH_TWILIO_TOKEN is not set\n";
    return 2;
  }
  const std::string path = "/twilio/" + o.channel + "/inbound";
  const std::string signed_url = o.url + path;

  std::vector<int> weights;
  for (const auto& b : kBodies) weights.push_back(b.weight);
  std::mt19937_64 rng(std::random_device{}());
  std::discrete_distribution<size_t> pick_body(weights.begin(), weights.end());
  std::uniform_int_distribution<int> pick_from(500, 999);

  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "bench_make_requests: cannot write " << o.out << "\n";
    return 1;
  }
  std::string head = replace_all(kLuaHead, "%PATH%", path);
  out << replace_all(head, "%THREADS%", std::to_string(o.threads));
  for (long i = 0; i < o.count; ++i) {
    const std::string sid = "SM" + gw::random_id(16);
    const std::string from = "+447700900" + std::to_string(pick_from(rng));
    const gw::FormFields form = inbound_form(o, sid, from, kBodies[pick_body(rng)].text);
    out << gw::compute_twilio_signature(token, signed_url, form) << '\t' << gw::form_urlencode(form) << '\n';
  }
  out << kLuaTail;
  out.close();
  if (!out) {
    std::cerr << "bench_make_requests: writing " << o.out << " failed\n";
    return 1;
  }
  return 0;
}
