-- The foundation: organisation tree, staff accounts, sessions, login throttling, audit log (SQLite dialect).
create table org_nodes (
    id integer primary key,
    parent_id bigint references org_nodes(id),
    kind text not null check (kind in ('root', 'district', 'town', 'school', 'community', 'centre', 'department', 'group')),
    subtype text,
    name text not null,
    path text not null,
    depth integer not null,
    population bigint,
    venue text,
    setup_status text check (setup_status in ('planned', 'in_progress', 'set_up')),
    setup_date date,
    phone text,
    note text,
    retired_at datetime,
    created_at datetime not null,
    updated_at datetime not null
);
create unique index org_nodes_active_sibling_name on org_nodes(parent_id, name) where retired_at is null;
-- Exactly one root: two servers starting together on one PostgreSQL cannot both create it.
create unique index org_nodes_single_root on org_nodes(kind) where kind = 'root';
create index org_nodes_path on org_nodes(path);
create index org_nodes_parent on org_nodes(parent_id);

create table org_members (
    id integer primary key,
    node_id bigint not null references org_nodes(id),
    name text not null,
    role text not null check (role in ('leader', 'deputy_leader', 'member', 'director', 'deputy_director', 'principal', 'deputy_principal', 'officer', 'head')),
    title text,
    phone text,
    sort integer not null default 0
);
create index org_members_node on org_members(node_id);

create table users (
    id integer primary key,
    username text not null unique,
    display_name text not null,
    password_hash text not null,
    role text not null check (role in ('system_admin', 'audit_admin', 'district_admin', 'town_office', 'leadership', 'lead_department', 'centre_head', 'teacher', 'resident')),
    node_id bigint not null references org_nodes(id),
    active boolean not null default true,
    password_changed_at datetime not null,
    created_at datetime not null,
    updated_at datetime not null
);
create index users_node on users(node_id);

create table sessions (
    id_hash text primary key,
    user_id bigint not null references users(id),
    csrf_token text not null,
    created_at datetime not null,
    last_seen_at datetime not null,
    source_ip text
);
create index sessions_user on sessions(user_id);

create table login_failures (
    id integer primary key,
    username text not null,
    source_ip text not null,
    at datetime not null
);
create index login_failures_ip_at on login_failures(source_ip, at);

create table audit_log (
    id integer primary key,
    at datetime not null,
    actor_id bigint,
    actor_name text not null,
    actor_role text not null,
    node_path text not null,
    action text not null,
    subject_type text not null,
    subject_id bigint,
    before_json text,
    after_json text,
    result text not null,
    source_ip text,
    request_id text
);
create index audit_log_path_at on audit_log(node_path, at);
create index audit_log_action on audit_log(action);

-- Audit records are append-only: nobody, not even the application, may edit or delete them.
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
