-- Leadership group and office meetings (Q三(一)1: the group meets 1–2 times a year; Q五(二): the
-- office's routine meetings): date, place, attendees from the group's members with absentees,
-- agenda, minutes (纪要) with decisions and the follow-up of each; the signed minutes are an
-- attachment.
create table meetings (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    town_path text not null,
    group_id bigint not null references org_nodes(id),
    kind text not null check (kind in ('leadership', 'office')),
    held_on date not null,
    place text not null check (place <> ''),
    agenda text not null check (agenda <> ''),
    minutes text,
    created_by bigint references users(id),
    created_at datetime not null
);
create index meetings_town on meetings(town_id, held_on);

create table meeting_attendees (
    meeting_id bigint not null references meetings(id),
    -- no reference: a member who leaves the group stays in the minutes of the meetings they attended
    member_id bigint not null,
    name text not null,
    present boolean not null,
    primary key (meeting_id, member_id)
);

create table meeting_decisions (
    id integer primary key,
    meeting_id bigint not null references meetings(id),
    position integer not null,
    decision text not null check (decision <> ''),
    owner text not null check (owner <> ''),
    due_on date,
    done_at datetime,
    done_note text
);
create index meeting_decisions_meeting on meeting_decisions(meeting_id, position);
