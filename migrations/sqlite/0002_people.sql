-- People: the catalogue's themes (the dictionary teachers and activities refer to), buildings and village
-- groups, households, residents with tags, the two-level teacher pool, trainings, volunteer hours, and
-- pending spreadsheet imports (SQLite dialect).
create table themes (
    id integer primary key,
    district_id bigint not null references org_nodes(id),
    name text not null,
    lead_departments text,
    description text,
    sort integer not null default 0,
    active boolean not null default true,
    created_at datetime not null,
    unique (district_id, name)
);

create table buildings (
    id integer primary key,
    community_id bigint not null references org_nodes(id),
    name text not null,
    kind text not null check (kind in ('building', 'village_group')),
    created_at datetime not null,
    unique (community_id, name)
);

create table households (
    id integer primary key,
    community_id bigint not null references org_nodes(id),
    building_id bigint references buildings(id),
    name text not null,
    created_at datetime not null,
    unique (community_id, name)
);

create table residents (
    id integer primary key,
    community_id bigint not null references org_nodes(id),
    name text not null,
    gender text check (gender in ('male', 'female')),
    birth_date date,
    phone text,
    id_number text,
    household_id bigint references households(id),
    building_id bigint references buildings(id),
    guardian_consent boolean not null default false,
    erased_at datetime,
    created_at datetime not null,
    updated_at datetime not null
);
create unique index residents_phone on residents(phone) where phone is not null;
create unique index residents_id_number on residents(id_number) where id_number is not null;
create index residents_community_name on residents(community_id, name);
create index residents_name on residents(name);
create index residents_household on residents(household_id);

create table resident_tags (
    resident_id bigint not null references residents(id),
    tag text not null check (tag in ('elderly', 'youth', 'women', 'employee', 'farmer', 'disabled', 'migrant')),
    primary key (resident_id, tag)
);
create index resident_tags_tag on resident_tags(tag, resident_id);

create table teachers (
    id integer primary key,
    node_id bigint not null references org_nodes(id),
    name text not null,
    gender text check (gender in ('male', 'female')),
    phone text,
    teacher_type text not null check (teacher_type in ('full_time', 'part_time', 'volunteer')),
    source text not null check (source in ('expert', 'technician', 'serving_teacher', 'retired_cadre', 'retired_teacher',
        'retired_technician', 'capable_local', 'university_student', 'government_staff', 'community_staff')),
    speciality text,
    status text not null default 'active' check (status in ('active', 'retired')),
    retired_on date,
    retired_reason text,
    created_at datetime not null,
    updated_at datetime not null
);
create index teachers_node on teachers(node_id);
create unique index teachers_node_phone on teachers(node_id, phone) where phone is not null;

create table teacher_themes (
    teacher_id bigint not null references teachers(id),
    theme_id bigint not null references themes(id),
    primary key (teacher_id, theme_id)
);

create table teacher_trainings (
    id integer primary key,
    teacher_id bigint not null references teachers(id),
    held_on date not null,
    title text not null,
    organiser text,
    minutes integer not null check (minutes > 0),
    created_at datetime not null
);
create index teacher_trainings_teacher on teacher_trainings(teacher_id);

create table volunteer_hours (
    id integer primary key,
    teacher_id bigint not null references teachers(id),
    served_on date not null,
    activity_id bigint,
    activity_title text not null,
    minutes integer not null check (minutes > 0),
    created_at datetime not null
);
create index volunteer_hours_teacher on volunteer_hours(teacher_id, served_on);

create table import_batches (
    id integer primary key,
    kind text not null check (kind in ('residents', 'households', 'teachers')),
    town_id bigint not null references org_nodes(id),
    user_id bigint,
    file_name text not null,
    status text not null check (status in ('pending', 'imported', 'cancelled')),
    total_rows integer not null,
    valid_rows integer not null,
    payload text not null,
    report text not null,
    created_at datetime not null,
    finished_at datetime
);
