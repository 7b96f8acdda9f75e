"""The routes only TubeArchivist v0.5 has (`/api/user/...`, `/api/appsettings/...`, ...): they answer every
credential in v0.5's shapes. Paths both dialects share stay in functions.http.ta and declare their v0.5 shape
(`as_v05=`, from functions.http.ta5.shapes)."""
