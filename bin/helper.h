/*
 * helper.h - what the parts of sctpize-helper share.
 */
#ifndef SCTPIZE_HELPER_H
#define SCTPIZE_HELPER_H

/* Why the dynamic loader will ignore LD_PRELOAD for an executable, if it will. */
enum obstacle { NO_OBSTACLE, SETUID, SETGID, FILE_CAPS, STATIC };

/* sctpize-helper.c: the obstacle for executable path (NO_OBSTACLE if none). */
enum obstacle preload_obstacle(const char *path);

/* status.c: the report on process arg (a PID); the exit status. */
int status(const char *arg);

/* explain.c: sctpize explain [server|client ADDR PORT] [PROGRAM]; the exit status. */
int explain(int argc, char **argv);

#endif
