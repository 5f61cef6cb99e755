-- How many active residents each community has under each surname (the first character of the
-- name), kept by triggers in the transaction of every change. A district's resident list tells
-- the exact total of a surname search, or of the whole register, by adding a few hundred of these
-- instead of counting tens of thousands of index entries (the indexes carry the count: a sum reads
-- them alone).
create table resident_name_counts (
    community_id bigint not null,
    town_id bigint not null,
    surname text not null,
    residents bigint not null,
    primary key (community_id, surname)
);
create index resident_name_counts_town on resident_name_counts (town_id, surname, residents);
create index resident_name_counts_surname on resident_name_counts (surname, town_id, residents);

insert into resident_name_counts (community_id, town_id, surname, residents)
    select community_id, min(town_id), substr(name, 1, 1), count(*) from residents
    where erased_at is null group by community_id, substr(name, 1, 1);

create trigger resident_name_counts_insert after insert on residents when new.erased_at is null
begin
    insert into resident_name_counts (community_id, town_id, surname, residents)
        values (new.community_id, new.town_id, substr(new.name, 1, 1), 1)
        on conflict (community_id, surname) do update set residents = residents + 1,
            town_id = excluded.town_id;
end;

create trigger resident_name_counts_delete after delete on residents when old.erased_at is null
begin
    update resident_name_counts set residents = residents - 1
        where community_id = old.community_id and surname = substr(old.name, 1, 1);
end;

create trigger resident_name_counts_update
    after update of name, community_id, town_id, erased_at on residents
begin
    update resident_name_counts set residents = residents - 1
        where old.erased_at is null and community_id = old.community_id
            and surname = substr(old.name, 1, 1);
    insert into resident_name_counts (community_id, town_id, surname, residents)
        select new.community_id, new.town_id, substr(new.name, 1, 1), 1
            where new.erased_at is null
        on conflict (community_id, surname) do update set residents = residents + 1,
            town_id = excluded.town_id;
end;
