-- Under the 等保 security profile a password someone else chose (a new account, an administrator's reset)
-- must be changed by its owner before anything else; choosing a new password clears the mark.
alter table users add column password_must_change boolean not null default false;
