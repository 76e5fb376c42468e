/* The pktwatch command line: main.c dispatches `pktwatch <command>` to one
 * pw_cmd_<command>() per file. Commands parse arguments, call the library and
 * print; they hold no analysis logic of their own.
 *
 * Exit codes, shared by every command (documented in `pktwatch --help`): */
#ifndef PW_CLI_H
#define PW_CLI_H

#include <stdio.h>

enum {
    PW_EXIT_OK = 0,        /* success */
    PW_EXIT_FAILURE = 1,   /* the command could not do its work (I/O, unreadable file) */
    PW_EXIT_USAGE = 2,     /* bad command line or bad expression */
    PW_EXIT_DAMAGED = 3,   /* input damaged (cut short, lying length): results cover
                              every complete record before the damage */
    PW_EXIT_ALERT = 4,     /* `alerts --fail-on`: an alert at or above the level */
};

int pw_cmd_info(int argc, char **argv);
int pw_cmd_capture(int argc, char **argv);
int pw_cmd_stats(int argc, char **argv);
int pw_cmd_filter(int argc, char **argv);
int pw_cmd_alerts(int argc, char **argv);
int pw_cmd_rtt(int argc, char **argv);

/* Prints "pktwatch: <msg>" to stderr. */
void pw_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
