-- Inspections and the year-end assessment (督查考核, 年终考核; Q五(三), L's provincial standard).
-- Scoring templates (items with maximum points, guidance and the data indicator shown beside
-- each); inspections of a centre, scheduled or unannounced, scored item by item with a note
-- (photos are attachments of the score); findings become rectifications the centre head answers
-- with evidence and the inspector closes or reopens; the year's assessment of a town's centres:
-- the office's weights, and once the leadership group approves, the frozen ranking.
create table inspection_templates (
    id integer primary key,
    owner_id bigint not null references org_nodes(id),
    owner_path text not null,
    name text not null check (name <> ''),
    basis text not null,
    retired_at datetime,
    created_at datetime not null,
    unique (owner_id, name)
);

create table inspection_template_items (
    id integer primary key,
    template_id bigint not null references inspection_templates(id),
    position integer not null,
    title text not null check (title <> ''),
    max_points integer not null check (max_points between 1 and 100),
    guidance text,
    measure text check (measure in ('activities', 'documented', 'sign_in', 'photos', 'equipment', 'participants'))
);
create index inspection_template_items_template on inspection_template_items(template_id, position);

create table inspections (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    node_id bigint not null references org_nodes(id),
    node_path text not null,
    template_id bigint not null references inspection_templates(id),
    kind text not null check (kind in ('scheduled', 'unannounced')),
    planned_on date not null,
    inspected_on date,
    status text not null check (status in ('scheduled', 'done')),
    inspector_id bigint references users(id),
    inspector_name text,
    summary text,
    points integer,
    max_points integer not null,
    version integer not null default 1,
    created_by bigint references users(id),
    created_at datetime not null,
    updated_at datetime not null
);
create index inspections_town on inspections(town_id, planned_on);
create index inspections_node on inspections(node_id, planned_on);

create table inspection_scores (
    id integer primary key,
    inspection_id bigint not null references inspections(id),
    item_id bigint not null references inspection_template_items(id),
    points integer not null check (points >= 0),
    note text,
    unique (inspection_id, item_id)
);

create table rectifications (
    id integer primary key,
    inspection_id bigint not null references inspections(id),
    node_path text not null,
    finding text not null check (finding <> ''),
    due_on date not null,
    status text not null check (status in ('open', 'answered', 'closed')),
    answer text,
    answered_at datetime,
    reopen_reason text,
    closed_at datetime,
    created_at datetime not null,
    updated_at datetime not null
);
create index rectifications_inspection on rectifications(inspection_id);
create index rectifications_node on rectifications(node_path, status);

create table assessments (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    town_path text not null,
    year integer not null check (year between 2000 and 2100),
    -- the office's weights, percentages summing to 100
    weight_inspection integer not null,
    weight_activities integer not null,
    weight_documented integer not null,
    weight_participation integer not null,
    weight_rectification integer not null,
    status text not null check (status in ('draft', 'approved')),
    -- the ranking as approved (JSON), kept as it was
    frozen text,
    approved_at datetime,
    approved_by bigint references users(id),
    approver_name text,
    version integer not null default 1,
    updated_at datetime not null,
    unique (town_id, year)
);
