/* pktwatch: dispatch to one command per file. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef PW_VERSION
#define PW_VERSION "0.1.0"
#endif

void pw_cli_err(const char *fmt, ...)
{
    va_list ap;
    fputs("pktwatch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"info", pw_cmd_info, "summarise capture files (like capinfos)"},
    {"capture", pw_cmd_capture, "drive capture sessions on a pktwatchd agent"},
    {"stats", pw_cmd_stats, "tshark's -z statistics (io,phs, dests,tree, conv, endpoints)"},
    {"filter", pw_cmd_filter, "display filters (tshark -Y), -T fields, filtered captures (-w)"},
    {"alerts", pw_cmd_alerts, "unwanted and abnormal traffic (P2P, remote access, scans, ...)"},
    {"rtt", pw_cmd_rtt, "TCP handshake round-trip times per connection and per server"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: pktwatch <command> [options] [FILE...]\n\n"
               "Packet capture inspection: reads pcap and pcapng files (by magic number,\n"
               "whatever the extension), '-' for standard input.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`pktwatch <command> --help` describes each command.\n\n"
               "exit status:\n"
               "  0  success\n"
               "  1  the command failed (unreadable input, not a capture file, I/O error)\n"
               "  2  bad command line or expression\n"
               "  3  input damaged (cut short, lying length); the results printed cover\n"
               "     every complete record before the damage\n"
               "  4  alerts at or above the --fail-on level were found\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return PW_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return PW_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("pktwatch %s\n", PW_VERSION);
        return PW_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    pw_cli_err("unknown command '%s' (try 'pktwatch --help')", argv[1]);
    return PW_EXIT_USAGE;
}
