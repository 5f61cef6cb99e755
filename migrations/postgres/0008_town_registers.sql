-- Each town keeps its own register of residents: a mobile or ID number is unique inside a town, not
-- across towns. A number met at a check-in or an import is looked up in the activity's or the import's
-- town only, so nothing about a resident of another town can be found from a number (SECURITY.md,
-- scope), and the same person may be registered by two towns. `town_id` is the community's town, kept
-- by the resident writes and by a move of the community (org).
alter table residents add column town_id bigint references org_nodes(id);
update residents set town_id = (select n.parent_id from org_nodes n where n.id = residents.community_id);
drop index residents_phone;
drop index residents_id_number;
create unique index residents_town_phone on residents(town_id, phone) where phone is not null;
create unique index residents_town_id_number on residents(town_id, id_number) where id_number is not null;
-- Searching by the start of a number inside a scope still ranges over the numbers.
create index residents_phone on residents(phone) where phone is not null;
