-- 三员分立: a security administrator (安全管理员) confirms the account changes a system administrator
-- prepares that would hand out rights the system administrator does not hold (an audit administrator,
-- a town office …): creating such an account, resetting its password, enabling it. The users table is
-- rebuilt to allow the new role (SQLite cannot change a CHECK in place). The migration runs in one
-- transaction with foreign keys on, so the sessions that point at users are set aside while the table
-- is swapped and put back after (nobody is signed out).
create temp table sessions_kept as select * from sessions;
delete from sessions;
create table users_new (
    id integer primary key,
    username text not null unique,
    display_name text not null,
    password_hash text not null,
    role text not null check (role in ('system_admin', 'security_admin', 'audit_admin', 'district_admin', 'town_office', 'leadership', 'lead_department', 'centre_head', 'teacher', 'resident')),
    node_id bigint not null references org_nodes(id),
    active boolean not null default true,
    password_changed_at datetime not null,
    created_at datetime not null,
    updated_at datetime not null,
    password_must_change boolean not null default false
);
insert into users_new (id, username, display_name, password_hash, role, node_id, active, password_changed_at, created_at, updated_at, password_must_change)
    select id, username, display_name, password_hash, role, node_id, active, password_changed_at, created_at, updated_at, password_must_change from users;
drop table users;
alter table users_new rename to users;
create index users_node on users(node_id);
insert into sessions select * from sessions_kept;
drop table sessions_kept;

create table account_requests (
    id integer primary key,
    user_id bigint not null references users(id),
    kind text not null check (kind in ('create', 'reset', 'enable')),
    requested_by bigint references users(id),
    requested_at datetime not null,
    status text not null default 'pending' check (status in ('pending', 'confirmed', 'rejected')),
    decided_by bigint references users(id),
    decided_at datetime,
    note text
);
create unique index account_requests_pending on account_requests(user_id) where status = 'pending';
