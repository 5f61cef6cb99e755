-- Equipment and venues (Q三(二), L二1). A standard list owned by a district (or a town): the
-- items and rooms a learning centre (or the town's community-education school) should have, with
-- the quantity and whether it is required; each centre's inventory (quantity, condition, source,
-- date; an equipment purchase may be booked as an expense); its venues and function rooms with
-- their capacity. An activity may be planned in a room; overlapping bookings are refused.
create table equipment_standards (
    id integer primary key,
    owner_id bigint not null references org_nodes(id),
    owner_path text not null,
    kind text not null check (kind in ('item', 'room')),
    -- which nodes it applies to: the learning centres or the town school
    applies_to text not null check (applies_to in ('centre', 'school')),
    name text not null check (name <> ''),
    unit text not null check (unit <> ''),
    quantity integer not null check (quantity between 1 and 10000),
    required boolean not null,
    basis text not null,
    position integer not null,
    retired_at datetime,
    unique (owner_id, applies_to, kind, name)
);

create table equipment_items (
    id integer primary key,
    node_id bigint not null references org_nodes(id),
    node_path text not null,
    standard_id bigint references equipment_standards(id),
    name text not null check (name <> ''),
    quantity integer not null check (quantity between 1 and 100000),
    condition text not null check (condition in ('good', 'repair', 'broken')),
    source text not null check (source in ('office', 'culture', 'school', 'donated', 'other')),
    acquired_on date,
    note text,
    expense_id bigint references fund_expenses(id),
    version integer not null default 1,
    created_by bigint references users(id),
    created_at datetime not null,
    updated_at datetime not null,
    written_off_at datetime,
    written_off_reason text
);
create index equipment_items_node on equipment_items(node_path);

create table rooms (
    id integer primary key,
    node_id bigint not null references org_nodes(id),
    node_path text not null,
    standard_id bigint references equipment_standards(id),
    name text not null check (name <> ''),
    capacity integer check (capacity between 1 and 10000),
    note text,
    created_by bigint references users(id),
    created_at datetime not null,
    closed_at datetime,
    unique (node_id, name)
);
create index rooms_node on rooms(node_path);

alter table activities add column room_id bigint references rooms(id);
create index activities_room on activities(room_id, starts_at);
