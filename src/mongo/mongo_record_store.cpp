#include "mongo/mongo_record_store.hpp"

#include <mongoc/mongoc.h>
#include <sasl/sasl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <string_view>
#include <vector>

#include "mongo/record_bson.hpp"
#include "workstream/core/errors.hpp"

namespace workstream::mongo {
namespace {

constexpr const char* kCollection = "notifications";
constexpr uint32_t kDuplicateKey = 11000;

BsonPtr owned(bson_t* doc) { return BsonPtr(doc); }

[[noreturn]] void fail(const char* what, const bson_error_t& error) {
  throw Unavailable(std::string("MongoDB ") + what + ": " + error.message);
}

bool saslPathSet() { return std::getenv("SASL_PATH") != nullptr; }

}  // namespace

// libmongoc sets itself up as it is loaded, before main, and has Cyrus SASL
// load every plugin installed then (and Berkeley DB with one), though it asks
// Cyrus only for GSSAPI. Unless SASL_PATH says where to look, Cyrus is set up
// again here with no plugins: a process that never uses them (all of them,
// unless MongoDB authenticates with Kerberos) does not keep them in memory.
void initialiseLibrary() {
  if (!saslPathSet()) {
    static char noPlugins[] = "";
    sasl_set_path(SASL_PATH_TYPE_PLUGIN, noPlugins);
    const int done = sasl_client_done();
    if (done == SASL_OK || done == SASL_CONTINUE) sasl_client_init(nullptr);
  }
  mongoc_init();  // idempotent; for a libmongoc built without the set-up on load
  // Its set-up also publishes its counters in shared memory, as
  // /dev/shm/mongoc-<pid>, for the mongoc-stat tool; only mongoc_cleanup()
  // removes it, so every killed process would leave one behind. The name
  // goes at once: the counters stay mapped here, and nothing reads them.
  const std::string counters = "/mongoc-" + std::to_string(getpid());
  shm_unlink(counters.c_str());
}

void shutDownLibrary() { mongoc_cleanup(); }

// A client popped from the pool for one operation.
class MongoRecordStore::Client {
 public:
  explicit Client(MongoRecordStore& store)
      : pool_(store.pool_), client_(mongoc_client_pool_pop(store.pool_)) {
    collection_ = mongoc_client_get_collection(client_, store.database_.c_str(), kCollection);
  }
  ~Client() {
    mongoc_collection_destroy(collection_);
    mongoc_client_pool_push(pool_, client_);
  }
  mongoc_client_t* client() { return client_; }
  mongoc_collection_t* collection() { return collection_; }

 private:
  mongoc_client_pool_t* pool_;
  mongoc_client_t* client_;
  mongoc_collection_t* collection_ = nullptr;
};

MongoRecordStore::MongoRecordStore(const std::string& url, std::chrono::milliseconds timeout) {
  bson_error_t error;
  uri_ = mongoc_uri_new_with_error(url.c_str(), &error);
  if (uri_ == nullptr)
    throw InfrastructureError(std::string("invalid MongoDB URL: ") + error.message);
  const char* mechanism = mongoc_uri_get_auth_mechanism(uri_);
  if (mechanism != nullptr && std::string_view(mechanism) == "GSSAPI" && !saslPathSet()) {
    mongoc_uri_destroy(uri_);
    throw InfrastructureError(
        "the MongoDB URL asks for GSSAPI authentication, which needs Cyrus SASL's plugins: set "
        "SASL_PATH to their directory (on Debian, /usr/lib/x86_64-linux-gnu/sasl2)");
  }
  const char* database = mongoc_uri_get_database(uri_);
  if (database == nullptr || *database == '\0') {
    mongoc_uri_destroy(uri_);
    throw InfrastructureError("the MongoDB URL names no database (mongodb://host:port/database)");
  }
  database_ = database;
  const auto ms = static_cast<int32_t>(timeout.count());
  mongoc_uri_set_option_as_int32(uri_, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ms);
  mongoc_uri_set_option_as_int32(uri_, MONGOC_URI_CONNECTTIMEOUTMS, ms);
  mongoc_uri_set_option_as_int32(uri_, MONGOC_URI_SOCKETTIMEOUTMS, ms);
  pool_ = mongoc_client_pool_new(uri_);
  mongoc_client_pool_set_error_api(pool_, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_pool_set_appname(pool_, "workstream-notifications");
}

MongoRecordStore::~MongoRecordStore() {
  mongoc_client_pool_destroy(pool_);
  mongoc_uri_destroy(uri_);
}

// Creates only the indexes that are missing: asking again for existing ones
// is idempotent on MongoDB but has crashed FerretDB's connection handler.
void MongoRecordStore::ensureIndexes() {
  Client c(*this);
  std::set<std::string> existing;
  bson_error_t error;
  {
    std::unique_ptr<mongoc_cursor_t, decltype(&mongoc_cursor_destroy)> cursor(
        mongoc_collection_find_indexes_with_opts(c.collection(), nullptr), mongoc_cursor_destroy);
    const bson_t* index = nullptr;
    while (mongoc_cursor_next(cursor.get(), &index)) {
      bson_iter_t it;
      if (bson_iter_init_find(&it, index, "name") && BSON_ITER_HOLDS_UTF8(&it)) {
        existing.insert(bson_iter_utf8(&it, nullptr));
      }
    }
    // A collection that does not exist yet has no indexes: not an error.
    if (mongoc_cursor_error(cursor.get(), &error) && error.code != 26) fail("listIndexes", error);
  }
  struct Index {
    const char* name;
    BsonPtr key;
    bool unique;
  };
  std::vector<Index> wanted;
  wanted.push_back({"event_id_unique", owned(BCON_NEW("event_id", BCON_INT32(1))), true});
  wanted.push_back({"newest",
                    owned(BCON_NEW("received_at", BCON_INT32(-1), "event_id", BCON_INT32(-1))),
                    false});
  wanted.push_back(
      {"by_task", owned(BCON_NEW("task_id", BCON_INT32(1), "received_at", BCON_INT32(-1))), false});
  wanted.push_back({"by_type",
                    owned(BCON_NEW("event_type", BCON_INT32(1), "received_at", BCON_INT32(-1))),
                    false});
  auto command = owned(bson_new());
  BSON_APPEND_UTF8(command.get(), "createIndexes", kCollection);
  bson_t indexes;
  bson_append_array_begin(command.get(), "indexes", -1, &indexes);
  int missing = 0;
  for (const auto& index : wanted) {
    if (existing.count(index.name)) continue;
    bson_t spec;
    const std::string position = std::to_string(missing++);
    bson_append_document_begin(&indexes, position.c_str(), -1, &spec);
    BSON_APPEND_DOCUMENT(&spec, "key", index.key.get());
    BSON_APPEND_UTF8(&spec, "name", index.name);
    if (index.unique) BSON_APPEND_BOOL(&spec, "unique", true);
    bson_append_document_end(&indexes, &spec);
  }
  bson_append_array_end(command.get(), &indexes);
  if (missing == 0) return;
  mongoc_database_t* db = mongoc_client_get_database(c.client(), database_.c_str());
  const bool ok =
      mongoc_database_write_command_with_opts(db, command.get(), nullptr, nullptr, &error);
  mongoc_database_destroy(db);
  if (!ok) fail("createIndexes", error);
}

bool MongoRecordStore::insert(const notifications::NotificationRecord& record) {
  Client c(*this);
  auto doc = toBson(record);
  bson_error_t error;
  if (mongoc_collection_insert_one(c.collection(), doc.get(), nullptr, nullptr, &error))
    return true;
  if (error.code == kDuplicateKey) return false;  // recorded before: not a failure
  fail("insert", error);
}

// Unordered, every record is tried whatever happens to the others; the
// reply's writeErrors name the ones that were not inserted. A duplicate key
// was recorded before; any other error fails the call (a retry inserts what
// is missing, and finds the rest there).
std::vector<bool> MongoRecordStore::insertAll(
    const std::vector<notifications::NotificationRecord>& records) {
  std::vector<bool> fresh(records.size(), true);
  if (records.empty()) return fresh;
  std::vector<BsonPtr> docs;
  std::vector<const bson_t*> pointers;
  docs.reserve(records.size());
  for (const auto& record : records) {
    docs.push_back(toBson(record));
    pointers.push_back(docs.back().get());
  }
  auto opts = owned(BCON_NEW("ordered", BCON_BOOL(false)));
  bson_t reply;
  bson_error_t error;
  Client c(*this);
  const bool ok = mongoc_collection_insert_many(c.collection(), pointers.data(), pointers.size(),
                                                opts.get(), &reply, &error);
  BsonPtr owner(bson_copy(&reply));
  bson_destroy(&reply);
  if (ok) return fresh;
  bson_iter_t errors, each;
  if (!bson_iter_init_find(&errors, owner.get(), "writeErrors") ||
      !BSON_ITER_HOLDS_ARRAY(&errors) || !bson_iter_recurse(&errors, &each)) {
    fail("insertMany", error);
  }
  int duplicates = 0;
  while (bson_iter_next(&each)) {
    bson_iter_t field;
    int64_t index = -1, code = -1;
    if (BSON_ITER_HOLDS_DOCUMENT(&each) && bson_iter_recurse(&each, &field)) {
      while (bson_iter_next(&field)) {
        const std::string_view name = bson_iter_key(&field);
        if (name == "index") index = bson_iter_as_int64(&field);
        if (name == "code") code = bson_iter_as_int64(&field);
      }
    }
    if (code != kDuplicateKey || index < 0 || index >= static_cast<int64_t>(fresh.size())) {
      fail("insertMany", error);
    }
    fresh[static_cast<std::size_t>(index)] = false;
    ++duplicates;
  }
  if (duplicates == 0) fail("insertMany", error);  // failed, but not on a record
  return fresh;
}

std::optional<notifications::NotificationRecord> MongoRecordStore::find(
    const std::string& eventId) {
  auto filter = owned(BCON_NEW("event_id", BCON_UTF8(eventId.c_str())));
  auto found = runQuery(filter.get(), 1);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<notifications::NotificationRecord> MongoRecordStore::list(
    const notifications::RecordQuery& query) {
  auto filter = filterFor(query);
  return runQuery(filter.get(), query.limit);
}

// Newest first: received_at, then event_id, descending.
std::vector<notifications::NotificationRecord> MongoRecordStore::runQuery(const bson_t* filter,
                                                                          int limit) {
  Client c(*this);
  auto opts = owned(BCON_NEW("sort", "{", "received_at", BCON_INT32(-1), "event_id", BCON_INT32(-1),
                             "}", "limit", BCON_INT64(limit)));
  std::unique_ptr<mongoc_cursor_t, decltype(&mongoc_cursor_destroy)> cursor(
      mongoc_collection_find_with_opts(c.collection(), filter, opts.get(), nullptr),
      mongoc_cursor_destroy);
  std::vector<notifications::NotificationRecord> records;
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor.get(), &doc)) records.push_back(fromBson(doc));
  bson_error_t error;
  if (mongoc_cursor_error(cursor.get(), &error)) fail("find", error);
  return records;
}

CheckResult MongoRecordStore::check() {
  try {
    Client c(*this);
    auto ping = owned(BCON_NEW("ping", BCON_INT32(1)));
    bson_error_t error;
    if (!mongoc_client_command_simple(c.client(), "admin", ping.get(), nullptr, nullptr, &error)) {
      return {false, error.message};
    }
    return {true, {}};
  } catch (const InfrastructureError& e) {
    return {false, e.what()};
  }
}

}  // namespace workstream::mongo
