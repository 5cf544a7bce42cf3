// The event contracts in include/workstream/events/contracts.hpp against the
// JSON Schemas in contracts/events: the same event types, producers and
// payload rules, so neither can change without the other.
#include "workstream/events/contracts.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "workstream/events/envelope.hpp"
#include "workstream/events/topology.hpp"

namespace json = boost::json;
using namespace workstream::events;

namespace {

const std::filesystem::path kSchemas =
    std::filesystem::path(WORKSTREAM_SOURCE_DIR) / "contracts/events";

json::object schemaOf(std::string_view type) {
  std::ifstream in(kSchemas / (std::string(type) + ".schema.json"));
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

// A value the schema accepts for one payload property.
json::value sampleOf(const json::object& property) {
  if (const auto* values = property.if_contains("enum")) return values->as_array().front();
  const auto type = property.at("type").as_string();
  if (type == "array") return json::array{sampleOf(property.at("items").as_object())};
  const auto* format = property.if_contains("format");
  if (format == nullptr) return "text";
  if (*format == "uuid") return "0af76519-16cd-43dd-8448-eb211c80319c";
  if (*format == "email") return "someone@example.com";
  if (*format == "date-time") return "2026-01-01T00:00:00Z";
  FAIL("no sample for format " << *format);
  return nullptr;
}

bool accepts(const EventContract& contract, const json::object& payload) {
  return !contract.checkPayload(json::serialize(payload));
}

}  // namespace

TEST_CASE("contracts: one schema file per event type, and no other") {
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSchemas)) {
    auto name = entry.path().filename().string();
    name.resize(name.size() - std::string(".schema.json").size());
    files.insert(name);
  }
  std::set<std::string> declared;
  for (const auto& contract : kEventContracts) declared.insert(std::string(contract.type));
  CHECK(files == declared);
}

TEST_CASE("contracts: names and producers match the schemas") {
  for (const auto& contract : kEventContracts) {
    INFO(contract.type);
    const auto properties = schemaOf(contract.type).at("properties").as_object();
    CHECK(properties.at("event_type").at("const").as_string() == contract.type);
    const auto& producers = properties.at("producer").at("enum").as_array();
    CHECK(std::find(producers.begin(), producers.end(), json::value(contract.producer)) !=
          producers.end());
  }
}

TEST_CASE("contracts: each event type reaches one consumer queue") {
  // Topic bindings here are `prefix.*`: one word after the prefix.
  const auto matches = [](const ConsumerQueue& queue, const std::string& key) {
    const auto prefix = queue.bindingKey.substr(0, queue.bindingKey.size() - 1);
    return key.starts_with(prefix) && key.find('.', prefix.size()) == std::string::npos;
  };
  for (const auto& contract : kEventContracts) {
    INFO(contract.type);
    int queues = 0;
    for (const auto& queue : consumerQueues())
      queues += matches(queue, routingKeyOf(contract.type));
    CHECK(queues == 1);
  }
}

TEST_CASE("contracts: payload checks accept what the schema accepts, refuse what it refuses") {
  for (const auto& contract : kEventContracts) {
    INFO(contract.type);
    const auto payloadSchema = schemaOf(contract.type).at("properties").at("payload").as_object();
    const auto& properties = payloadSchema.at("properties").as_object();
    json::object full;
    for (const auto& [name, property] : properties) full[name] = sampleOf(property.as_object());
    CHECK(accepts(contract, full));

    for (const auto& required : payloadSchema.at("required").as_array()) {
      INFO("without " << required.as_string());
      auto missing = full;
      missing.erase(required.as_string());
      CHECK_FALSE(accepts(contract, missing));
    }
    for (const auto& [name, property] : properties) {
      INFO("wrong type for " << name);
      const auto* type = property.as_object().if_contains("type");
      if (type == nullptr) continue;  // an enum: the consumers read it as text
      auto wrong = full;
      wrong[name] = (*type == "string") ? json::value(5) : json::value("not an array");
      CHECK_FALSE(accepts(contract, wrong));
      if (*type == "array" && property.as_object().contains("minItems")) {
        wrong[name] = json::array{};
        CHECK_FALSE(accepts(contract, wrong));
      }
    }
  }
}
