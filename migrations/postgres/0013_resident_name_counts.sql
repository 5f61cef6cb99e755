-- How many active residents each community has under each surname (the first character of the
-- name), kept by triggers in the transaction of every change. A district's resident list tells
-- the exact total of a surname search, or of the whole register, by adding a few hundred of these
-- instead of counting tens of thousands of index entries (the indexes carry the count: a sum reads
-- them alone).
create table resident_name_counts (
    community_id bigint not null,
    town_id bigint not null,
    surname text collate "C" not null,
    residents bigint not null,
    primary key (community_id, surname)
);
create index resident_name_counts_town on resident_name_counts (town_id, surname, residents);
create index resident_name_counts_surname on resident_name_counts (surname, town_id, residents);

insert into resident_name_counts (community_id, town_id, surname, residents)
    select community_id, min(town_id), substr(name, 1, 1), count(*) from residents
    where erased_at is null group by community_id, substr(name, 1, 1);

create function resident_name_counts_track() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.erased_at is null then
        update resident_name_counts set residents = residents - 1
            where community_id = old.community_id and surname = substr(old.name, 1, 1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.erased_at is null then
        insert into resident_name_counts (community_id, town_id, surname, residents)
            values (new.community_id, new.town_id, substr(new.name, 1, 1), 1)
            on conflict (community_id, surname) do update
                set residents = resident_name_counts.residents + 1, town_id = excluded.town_id;
    end if;
    return null;
end
$$;

create trigger resident_name_counts_track
    after insert or delete or update of name, community_id, town_id, erased_at on residents
    for each row execute function resident_name_counts_track();
