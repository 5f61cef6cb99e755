-- A page of the resident list is read from the residents' own rows: each row carries its tags
-- (comma-joined, in order) and the names of its household and building, kept by triggers in the
-- transaction of every change (an import writes each new resident's tags with its row; the
-- triggers then find it already right). Joining the tags, households and buildings for each of
-- a page's fifty rows took a third of the list's time at a million residents
-- (`cedu bench people`).
alter table residents add column tag_list text, add column household_name text,
    add column building_name text;

update residents set
    tag_list = (select string_agg(t.tag, ',' order by t.tag) from resident_tags t
        where t.resident_id = residents.id),
    household_name = (select h.name from households h where h.id = residents.household_id),
    building_name = (select b.name from buildings b where b.id = residents.building_id)
    where household_id is not null or building_id is not null
        or id in (select resident_id from resident_tags);

-- Once per statement, for the residents whose tags it wrote (an import writes thousands of tags in
-- one statement: one update of each resident, not one per tag), and only where the row does not
-- already say so (an import writes each new resident's list with the row).
create function resident_tag_list_refresh() returns trigger language plpgsql as $$
begin
    with lists as (
        select c.resident_id, (select string_agg(t.tag, ',' order by t.tag)
            from resident_tags t where t.resident_id = c.resident_id) as tag_list
        from (select distinct resident_id from changed_tags) c
    )
    update residents r set tag_list = lists.tag_list from lists
        where r.id = lists.resident_id and r.tag_list is distinct from lists.tag_list;
    return null;
end
$$;

create trigger resident_tag_list_insert after insert on resident_tags
    referencing new table as changed_tags
    for each statement execute function resident_tag_list_refresh();

create trigger resident_tag_list_delete after delete on resident_tags
    referencing old table as changed_tags
    for each statement execute function resident_tag_list_refresh();

create function resident_places_fill() returns trigger language plpgsql as $$
begin
    if new.household_id is null then
        new.household_name := null;
    else
        new.household_name := (select name from households where id = new.household_id);
    end if;
    if new.building_id is null then
        new.building_name := null;
    else
        new.building_name := (select name from buildings where id = new.building_id);
    end if;
    return new;
end
$$;

create trigger resident_places_fill before insert or update of household_id, building_id
    on residents for each row execute function resident_places_fill();

create function household_name_track() returns trigger language plpgsql as $$
begin
    update residents set household_name = new.name where household_id = new.id;
    return null;
end
$$;

create trigger household_name_track after update of name on households
    for each row execute function household_name_track();

create function building_name_track() returns trigger language plpgsql as $$
begin
    update residents set building_name = new.name where building_id = new.id;
    return null;
end
$$;

create trigger building_name_track after update of name on buildings
    for each row execute function building_name_track();
