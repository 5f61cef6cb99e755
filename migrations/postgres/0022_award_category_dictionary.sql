-- Commendation categories as a district dictionary (SPEC.md "Commendation": "a district
-- dictionary"): the district names its categories and the kind of nominee each is for; the six of
-- the plans (Q三(四): 学习型个人、家庭、楼栋(村民小组)、社区; L二10: 学习型单位、社团) are seeded for
-- every district. A round's categories and nominations keep the category's code, so renaming a
-- category relabels past rounds and certificates; an entry in use is retired, never deleted.
create table commendation_categories (
    id bigserial primary key,
    district_id bigint not null references org_nodes(id),
    code text not null check (code <> ''),
    name text not null check (name <> ''),
    nominee_kind text not null check (nominee_kind in ('resident', 'household', 'building', 'community', 'unit')),
    sort integer not null,
    active boolean not null default true,
    unique (district_id, code),
    unique (district_id, name)
);

insert into commendation_categories (district_id, code, name, nominee_kind, sort, active)
select d.id, c.code, c.name, c.kind, c.sort, true
from org_nodes d cross join (
    select 'learning_individual' as code, '学习型个人' as name, 'resident' as kind, 1 as sort
    union all select 'learning_family', '学习型家庭', 'household', 2
    union all select 'learning_building', '学习型楼栋(村民小组)', 'building', 3
    union all select 'learning_community', '学习型社区', 'community', 4
    union all select 'learning_unit', '学习型单位', 'unit', 5
    union all select 'association', '学习型社团', 'unit', 6
) c
where d.kind = 'district';

-- A round's categories are the district's codes now, no longer a fixed list.
alter table award_categories drop constraint award_categories_category_check;
alter table award_categories add constraint award_categories_category_check check (category <> '');
