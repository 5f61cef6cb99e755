-- A page of the resident list is read from the residents' own rows: each row carries its tags
-- (comma-joined, in order) and the names of its household and building, kept by triggers in the
-- transaction of every change (an import writes each new resident's tags with its row; the
-- triggers then find it already right). Joining the tags, households and buildings for each of
-- a page's fifty rows took a third of the list's time at a million residents
-- (`cedu bench people`).
alter table residents add column tag_list text;
alter table residents add column household_name text;
alter table residents add column building_name text;

update residents set
    tag_list = (select string_agg(t.tag, ',' order by t.tag) from resident_tags t
        where t.resident_id = residents.id),
    household_name = (select h.name from households h where h.id = residents.household_id),
    building_name = (select b.name from buildings b where b.id = residents.building_id)
    where household_id is not null or building_id is not null
        or id in (select resident_id from resident_tags);

create trigger resident_tag_list_insert after insert on resident_tags
begin
    update residents set tag_list = (select string_agg(t.tag, ',' order by t.tag)
        from resident_tags t where t.resident_id = new.resident_id)
        where id = new.resident_id and tag_list is not (select string_agg(t.tag, ',' order by
            t.tag) from resident_tags t where t.resident_id = new.resident_id);
end;

create trigger resident_tag_list_delete after delete on resident_tags
begin
    update residents set tag_list = (select string_agg(t.tag, ',' order by t.tag)
        from resident_tags t where t.resident_id = old.resident_id)
        where id = old.resident_id and tag_list is not (select string_agg(t.tag, ',' order by
            t.tag) from resident_tags t where t.resident_id = old.resident_id);
end;

create trigger resident_places_insert after insert on residents
    when new.household_id is not null or new.building_id is not null
begin
    update residents set
        household_name = (select name from households where id = new.household_id),
        building_name = (select name from buildings where id = new.building_id)
        where id = new.id;
end;

create trigger resident_places_update after update of household_id, building_id on residents
begin
    update residents set
        household_name = (select name from households where id = new.household_id),
        building_name = (select name from buildings where id = new.building_id)
        where id = new.id;
end;

create trigger household_name_update after update of name on households
begin
    update residents set household_name = new.name where household_id = new.id;
end;

create trigger building_name_update after update of name on buildings
begin
    update residents set building_name = new.name where building_id = new.id;
end;
