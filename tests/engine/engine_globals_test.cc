#include <catch2/catch.hpp>

#include "gateway/engine/engine.h"
#include "tests/engine/engine_fixture.h"

using gw::testing::EngineFixture;
using Keys = std::vector<std::string>;
namespace fx = gw::effect;

TEST_CASE("menu from inside a sub-flow starts the main flow again", "[engine][globals]") {
  EngineFixture f;
  f.send("hi");
  f.send("2");
  f.send("yes");
  CHECK(f.r.session.stack.size() == 2);
  f.send("MENU!");
  CHECK(f.says() == Keys{"main.welcome", "main.menu"});
  CHECK(f.r.session.stack.size() == 1);
  CHECK(f.at() == "main/menu");
  CHECK(f.r.session.scores.at("risk") == 2);  // the conversation goes on: results are kept
}

TEST_CASE("global keywords win over a capture and work in the person's language", "[engine][globals]") {
  EngineFixture f;
  f.contact.language = "uk";
  for (const char* m : {"hi", "2", "ні", "ні"}) f.send(m);
  REQUIRE(f.at() == "screening/where");
  f.send("Меню");
  CHECK(f.at() == "main/menu");
  CHECK(f.r.session.results.count("city") == 0);

  f.send("оператор");
  REQUIRE(f.all<fx::Handover>().size() == 1);
  CHECK(f.all<fx::Handover>()[0].note == "note.asked_for_person");
  CHECK(f.end_reason() == "handover");
}

TEST_CASE("talk to a person hands over from anywhere, even as a first message", "[engine][globals]") {
  EngineFixture f;
  f.contact.language = "ar";
  f.send("موظف");
  auto h = f.all<fx::Handover>();
  REQUIRE(h.size() == 1);
  CHECK(h[0].queue == "general");
  CHECK(h[0].priority == "normal");
  CHECK(f.says().empty());
  CHECK(f.r.session.ended);

  EngineFixture g;
  g.contact.language = "fr";
  g.send("salut");
  g.send("Une personne");
  CHECK(g.all<fx::Handover>().size() == 1);
}

TEST_CASE("the language keyword confirms the first guess, sets it, and asks the question again",
          "[engine][globals]") {
  EngineFixture f;
  f.contact.language_guesses = {"fa", "ar"};
  f.send("hi");
  f.send("languag");  // one typo in an eight-letter keyword
  CHECK(f.says() == Keys{"language.confirm"});
  CHECK(f.all<fx::Say>()[0].vars == nlohmann::json{{"lang", "fa"}});
  CHECK(f.r.session.stack.size() == 2);
  CHECK(f.r.session.stack[0].reenter);
  f.send("1");
  CHECK(f.all<fx::SetLanguage>() == std::vector<fx::SetLanguage>{{"fa"}});
  CHECK(f.says() == Keys{"language.done", "main.menu"});
  CHECK(f.at() == "main/menu");
  CHECK_FALSE(f.r.session.stack[0].reenter);
  f.contact.language = "fa";  // the shell applied the effect
  f.send("۱");
  CHECK(f.says().front() == "rights.info");
}

TEST_CASE("without a guess the language flow lists languages, and a first message gets the welcome after",
          "[engine][globals]") {
  EngineFixture f;
  f.send("language");
  CHECK(f.says() == Keys{"language.pick"});
  CHECK(f.all<fx::Say>()[0].choices == Keys{"language.ar", "language.fa", "language.en"});
  f.send("١");
  CHECK(f.all<fx::SetLanguage>() == std::vector<fx::SetLanguage>{{"ar"}});
  CHECK(f.says() == Keys{"language.done", "main.welcome", "main.menu"});
  CHECK(f.at() == "main/menu");
  f.send("language");  // asked again inside the language flow: it restarts, it does not nest
  f.send("language");
  CHECK(f.r.session.stack.size() == 2);
}

TEST_CASE("erasure needs a confirmation, and no keeps everything and returns to the question",
          "[engine][globals]") {
  SECTION("yes") {
    EngineFixture f;
    f.contact.language = "ar";
    f.send("hi");
    f.send("احذف بياناتي");
    CHECK(f.says() == Keys{"erase.confirm"});
    CHECK(f.all<fx::Erase>().empty());
    f.send("أيوه");
    CHECK(f.all<fx::Erase>().size() == 1);
    CHECK(f.end_reason() == "erase");
    CHECK(f.r.session.ended);
  }
  SECTION("no") {
    EngineFixture f;
    f.send("hi");
    f.send("delete");
    f.send("no");
    CHECK(f.all<fx::Erase>().empty());
    CHECK(f.says() == Keys{"erase.kept", "main.menu"});
    CHECK(f.at() == "main/menu");
  }
  SECTION("two unclear answers keep everything") {
    EngineFixture f;
    f.send("hi");
    f.send("erase my data");
    f.send("hmm");
    CHECK(f.says() == Keys{"erase.confirm"});  // no retry template: the question again
    f.send("hmm");
    CHECK(f.all<fx::Erase>().empty());
    CHECK(f.says() == Keys{"erase.kept", "main.menu"});
  }
}

TEST_CASE("a global keyword must be the whole message", "[engine][globals]") {
  EngineFixture f;
  f.send("hi");
  f.send("main menu please");
  CHECK(f.says() == Keys{"main.retry", "main.menu"});
  f.send("mneu");  // four letters: no typo allowed
  CHECK(f.says() == Keys{"main.retry", "main.menu"});
}

TEST_CASE("the first message's language guesses hold for the rest of the session, also once stored",
          "[engine][globals]") {
  // The shell guesses from the number and the script of the first message only;
  // a later turn (here after a round trip through the stored JSON) still sees them.
  EngineFixture f;
  f.contact.language_guesses = {"fa", "ar"};
  f.send("hi");
  f.contact.language_guesses.clear();
  auto stored = gw::Session::from_json(f.r.session.to_json());
  REQUIRE(stored.ok());
  CHECK(stored->guesses == std::vector<std::string>{"fa", "ar"});
  f.r.session = *stored;
  f.send("languag");
  CHECK(f.says() == Keys{"language.confirm"});
  CHECK(f.all<fx::Say>()[0].vars == nlohmann::json{{"lang", "fa"}});
}
