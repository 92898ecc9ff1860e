-- Whether the role named exists on the server (roles are server-wide), and who is asking.
SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = :role) AS role_exists, current_user AS user_name
