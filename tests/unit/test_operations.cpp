// Every operation of the wire schema has a descriptor, and every descriptor
// answers every question the pipeline, the policy, the audit trail and the
// batch runner ask (daemon/core/operations.hpp). A new operation without a
// row, or a row that forgets its audit field, its batch role, its cost or an
// attribute the policy must judge, fails here rather than at run time.
#include <catch2/catch.hpp>

#include <string>

#include "daemon/core/operations.hpp"
#include "libifctl/protocol/schema.hpp"

using namespace ifctl;
using namespace ifctl::daemon;
using proto::AttrType;

namespace {

// The attributes a request of `spec` may carry, other than the target and Durable
// (which the pipeline reads for every operation).
std::vector<AttrType> payload_attrs(const proto::OpSpec& spec) {
    std::vector<AttrType> out;
    for (uint16_t t = 1; t <= proto::kMaxAttr; ++t) {
        if (spec.attrs[t] == proto::Presence::Forbidden) continue;
        const AttrType a = static_cast<AttrType>(t);
        if (a == AttrType::Durable) continue;
        if (spec.needs_target && (a == AttrType::Name || a == AttrType::Index)) continue;
        out.push_back(a);
    }
    return out;
}

bool installed_from(const OpDescriptor& d, AttrType a) {
    for (unsigned v = 0; v < static_cast<unsigned>(Value::Count); ++v)
        if (installs(d.installs, static_cast<Value>(v)) && value_sources(static_cast<Value>(v)).has(a)) return true;
    return false;
}

}  // namespace

TEST_CASE("every operation of the wire schema has a whole descriptor") {
    size_t ops = 0;
    for (uint16_t n = 1; n <= proto::kMaxOp; ++n) {
        const proto::OpSpec* spec = proto::op_spec(n);
        if (!spec || spec->name.empty()) continue;  // an unused number
        ++ops;
        const std::string name(spec->name);
        INFO("operation " << name);
        const OpDescriptor* d = descriptor(n);
        REQUIRE(d);
        CHECK(static_cast<uint16_t>(d->op) == n);
        CHECK(d->route != Route::Unset);
        CHECK((d->route == Route::Handler) == (d->handler != nullptr));
        CHECK(d->access != Access::Unset);
        CHECK(d->audit != AuditField::Unset);
        CHECK(d->batch != BatchRole::Unset);
        CHECK(d->cost > 0);
        // The schema and the descriptor agree on the target and on whether it changes anything.
        CHECK(spec->needs_target == (d->target == TargetFrom::Request));
        if (d->route != Route::Batch) {
            CHECK(spec->changes == (d->facets != kNoFacet));
            if (!spec->changes) CHECK(d->access == Access::Anyone);
            if (spec->changes) CHECK(d->access != Access::Anyone);
        }
        if (d->access == Access::Root || d->access == Access::OwnerThenRoot) CHECK(!d->root_only.empty());
        if (d->access == Access::Owner || d->access == Access::QueueHolder || d->access == Access::OwnerThenRoot)
            CHECK(d->needs_managed);
        if (d->needs_managed) CHECK(d->target == TargetFrom::Request);
        // A step of a batch can be undone, or runs last, or its inverse is a destroy.
        if (d->batch == BatchRole::Undoable) CHECK(d->undo != nullptr);
        if (d->batch != BatchRole::Undoable) CHECK(d->undo == nullptr);
        if (d->batch != BatchRole::Never) CHECK(spec->changes);
        // Every attribute it takes is a value the policy sees, or a modifier said to be one.
        for (AttrType a : payload_attrs(*spec)) {
            INFO("attribute " << proto::attr_spec(static_cast<uint16_t>(a))->name);
            CHECK((installed_from(*d, a) || d->modifiers.has(a)));
            CHECK(!(installed_from(*d, a) && d->modifiers.has(a)));
        }
        // And every value it installs comes from an attribute it takes.
        for (unsigned v = 0; v < static_cast<unsigned>(Value::Count); ++v) {
            if (!installs(d->installs, static_cast<Value>(v))) continue;
            INFO("value " << value_name(static_cast<Value>(v)));
            bool taken = false;
            for (AttrType a : payload_attrs(*spec)) taken = taken || value_sources(static_cast<Value>(v)).has(a);
            CHECK(taken);
        }
    }
    CHECK(all_descriptors().size() == ops);
}

TEST_CASE("an operation that installs an address installs all of it") {
    // The local side, the peer, the broadcast and the label reach the kernel
    // together: a descriptor may not list one without the others.
    for (const OpDescriptor* d : all_descriptors()) {
        INFO("operation " << proto::op_name(static_cast<uint16_t>(d->op)));
        const bool any = installs(d->installs, Value::AddressLocal) || installs(d->installs, Value::AddressPeer) ||
                         installs(d->installs, Value::AddressBroadcast) || installs(d->installs, Value::AddressLabel);
        if (!any) continue;
        CHECK(installs(d->installs, Value::AddressLocal));
        CHECK(installs(d->installs, Value::AddressPeer));
        CHECK(installs(d->installs, Value::AddressBroadcast));
        CHECK(installs(d->installs, Value::AddressLabel));
    }
}

TEST_CASE("the values the policy judges beyond an operation's permission") {
    // What a grant limits value by value (ifctl.conf(5)); the others are
    // covered by the operation's permission alone. A change to this list is a
    // change to what the policy promises, and is made here on purpose.
    const std::vector<std::pair<Value, bool>> expected = {
        {Value::Owner, true},          {Value::Group, true},          {Value::CreateName, true},
        {Value::Queues, true},         {Value::VnetHdr, true},        {Value::Persistent, true},
        {Value::UniqueId, false},      {Value::NewName, true},        {Value::Mtu, true},
        {Value::Metric, false},        {Value::Lladdr, false},        {Value::MulticastGroup, false},
        {Value::Txqlen, false},        {Value::Flags, true},          {Value::FlagRef, true},
        {Value::Offloads, false},      {Value::AddressLocal, true},   {Value::AddressPeer, true},
        {Value::AddressBroadcast, true}, {Value::AddressLabel, true}, {Value::Netns, false},
        {Value::Description, false},   {Value::InterfaceGroup, false}, {Value::Inet6Settings, false},
    };
    REQUIRE(expected.size() == static_cast<size_t>(Value::Count));
    for (auto [v, judged] : expected) {
        INFO("value " << value_name(v));
        CHECK(policy_judges(v) == judged);
    }
}
