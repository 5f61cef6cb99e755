-- Commendation (评选表彰, Q三(四), L二10): a yearly round per town with its categories, quotas,
-- rewards and deadline; nominations by the centres with the deeds and the nominee's own record,
-- reviewed by the office, approved by the leadership group (a reward booked as an expense in the
-- same transaction), published. One nomination per nominee and category in a round.
create table award_rounds (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    town_path text not null,
    year integer not null check (year between 2000 and 2100),
    title text not null check (title <> ''),
    deadline date not null,
    published_at datetime,
    created_at datetime not null,
    unique (town_id, year)
);

create table award_categories (
    round_id bigint not null references award_rounds(id),
    category text not null check (category in ('learning_individual', 'learning_family', 'learning_building', 'learning_community', 'learning_unit', 'association')),
    quota integer not null check (quota between 1 and 1000),
    reward_fen bigint not null default 0 check (reward_fen >= 0 and reward_fen <= 1000000000),
    primary key (round_id, category)
);

create table nominations (
    id integer primary key,
    round_id bigint not null references award_rounds(id),
    category text not null,
    nominee_kind text not null check (nominee_kind in ('resident', 'household', 'building', 'community', 'unit')),
    nominee_id bigint,
    nominee_key text not null,
    nominee_name text not null check (nominee_name <> ''),
    node_path text not null,
    deeds text not null check (deeds <> ''),
    record text not null,
    status text not null check (status in ('submitted', 'returned', 'passed', 'approved')),
    review_note text,
    decided_by bigint references users(id),
    expense_id bigint references fund_expenses(id),
    created_by bigint references users(id),
    created_at datetime not null,
    updated_at datetime not null,
    unique (round_id, category, nominee_key)
);
create index nominations_round on nominations(round_id, status);
