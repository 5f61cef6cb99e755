-- The town's funds (经费, Q三(五), L三3): income per channel, expenses per category with what
-- each belongs to (a centre or the town school, an activity, a teacher), amounts in integer fen;
-- an expense beyond the year's funds carries the office's reason. Qiling's register of
-- enterprises and schools with their training spend. Vouchers are attachments.
create table fund_incomes (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    town_path text not null,
    year integer not null check (year between 2000 and 2100),
    received_on date not null,
    channel text not null check (channel in ('government', 'community', 'higher_level', 'donation', 'other')),
    amount_fen bigint not null check (amount_fen > 0 and amount_fen <= 1000000000),
    source text,
    note text,
    created_by bigint references users(id),
    created_at datetime not null
);
create index fund_incomes_year on fund_incomes(town_id, year);

create table fund_expenses (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    town_path text not null,
    node_id bigint not null references org_nodes(id),
    year integer not null check (year between 2000 and 2100),
    spent_on date not null,
    category text not null check (category in ('lecture_fee', 'lost_work', 'award', 'activity', 'equipment')),
    amount_fen bigint not null check (amount_fen > 0 and amount_fen <= 1000000000),
    payee text not null check (payee <> ''),
    activity_id bigint references activities(id),
    teacher_id bigint references teachers(id),
    note text,
    over_budget_reason text,
    created_by bigint references users(id),
    created_at datetime not null
);
create index fund_expenses_year on fund_expenses(town_id, year);
create index fund_expenses_activity on fund_expenses(activity_id);

create table training_register (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    town_path text not null,
    year integer not null check (year between 2000 and 2100),
    kind text not null check (kind in ('enterprise', 'school')),
    name text not null check (name <> ''),
    base_fen bigint not null check (base_fen > 0),
    spend_fen bigint not null check (spend_fen >= 0),
    note text,
    created_at datetime not null,
    unique (town_id, year, kind, name)
);
