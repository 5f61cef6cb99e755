-- Whether a resident came in with an imported register (a town adopting cedu brings its whole
-- register at once) rather than registered one by one (the form, a walk-in at a check-in): a
-- month's report counts the newly registered apart from those imported, so the month a register
-- is imported does not show thousands of "new residents". Residents already recorded are taken as
-- registered one by one (cedu cannot tell afterwards).
alter table residents add column imported boolean not null default false;

-- A month's new residents of a place: each community's residents recorded in the month, read from
-- this index alone (the register of a district is a million rows; a month is a few of them).
create index residents_community_created on residents(community_id, created_at, imported);
