/*
 * main.c - expertctl, the operator's command line for expertd: global
 * options, the command table, and dispatch to the command's handler.
 * Commands live in cmd_<group>.c; shared plumbing in ctl.c and out.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define CTL_DEFAULT_ENDPOINT "tcp://127.0.0.1:5570"

const struct ctl_cmd ctl_cmds[] = {
	{"ping", NULL, cmd_ping, "",
	 N_("Check that the daemon answers; show its version and who you are to it."),
	 NULL},
	{"keygen", NULL, cmd_keygen, "[--sign] BASE",
	 N_("Write a new CURVE key pair to BASE.key (secret, mode 0600) and BASE.pub,\n"
	 "and print the public key. Does not contact the daemon."),
	 N_("  --sign           write the daemon's signing key instead (Ed25519; the\n"
	 "                   daemon signs the audit log's head with it)\n")},
	{"term", "open", cmd_term_open, "--start YYYY-MM-DD",
	 N_("Open a new three-year appointment term starting on the given date."),
	 N_("  --start DATE     first day of the term (required)\n")},
	{"term", "list", cmd_term_list, "", N_("List the appointment terms."), NULL},
	{"term", "renew", cmd_term_renew, "--term N [--expert ID ...] [--reason R]",
	 N_("Reappoint experts for term N (all of the previous term's, or the listed ones)."),
	 N_("  --term N         the term to renew into (required)\n"
	 "  --expert ID      renew only this expert; repeatable\n"
	 "  --reason R       why (kept in the audit trail)\n")},
	{"pool", "import", cmd_pool_import,
	 "FILE [--encoding auto|utf8|gb18030] [--skip-invalid] [--batch N]\n"
	 "      [--identity-reason R] [--age-exception LINE ... --age-exception-reason R]\n"
	 "      [--appointed]",
	 N_("Import a recommendation roster (CSV from Excel, UTF-8 or GB18030).\n"
	 "Nothing is imported while any row is invalid, unless --skip-invalid."),
	 N_("  --encoding E     auto (default), utf8 or gb18030 (gbk is accepted)\n"
	 "  --skip-invalid   import the valid rows and report the skipped ones\n"
	 "  --batch N        rows per request, 1 to 1000 (default 500)\n"
	 "  --age-exception LINE  the expert on this line may be over 65: the\n"
	 "                   Center's exception to 第十一条(六); repeatable\n"
	 "  --age-exception-reason R  why (required with --age-exception; recorded\n"
	 "                   with you as the approver)\n"
	 "  --identity-reason R  let a row correct the name or sex of the expert\n"
	 "                   with its resident ID (else refused); R is recorded\n"
	 "  --appointed      the roster is of experts the Center has already\n"
	 "                   appointed (第十六条): new experts are appointed, not\n"
	 "                   recommended, and can be drawn at once\n")},
	{"pool", "list", cmd_pool_list,
	 "[--specialty S] [--group-type G] [--status S] [--appointment A] [--term N]\n"
	 "      [--offset N] [--limit N]",
	 N_("List experts; ID numbers and phones are masked."),
	 N_("  --specialty S    only experts of this specialty\n"
	 "  --group-type G   training_review, skill_evaluation or methods\n"
	 "  --status S       active, suspended, flagged or revoked\n"
	 "  --appointment A  recommended, under_review, appointed or rejected\n"
	 "  --term N         only experts appointed for term N\n"
	 "  --offset N       skip the first N matches\n"
	 "  --limit N        show at most N (1 to 1000)\n")},
	{"pool", "show", cmd_pool_show, "ID [--reveal --reason R]",
	 N_("Show one expert with history and declared conflicts."),
	 N_("  --reveal         show the full ID number and phone (audited)\n"
	 "  --reason R       why they are revealed (required with --reveal)\n")},
	{"pool", "suspend", cmd_pool_suspend,
	 "ID --reason R [--ground G] [--referral TEXT] [--until YYYY-MM-DD]",
	 N_("Suspend an expert from draws, until a date or until reinstated."),
	 N_("  --reason R       why (required)\n"
	 "  --ground G       the ground (第十七条): confidentiality (泄密), favouritism\n"
	 "                   (徇私舞弊), non_participation (长期不参加委派任务), other,\n"
	 "                   or one the Center configured (expertctl pool grounds)\n"
	 "  --referral TEXT  the referral to the judicial organs (移送司法机关), if any\n"
	 "  --until DATE     last day of the suspension\n")},
	{"pool", "reinstate", cmd_pool_reinstate, "ID --reason R",
	 N_("Return a suspended or flagged expert to the active pool."),
	 N_("  --reason R       why (required)\n")},
	{"pool", "revoke", cmd_pool_revoke, "ID --reason R [--ground G] [--referral TEXT]",
	 N_("Revoke an expert's qualification (第十七条)."),
	 N_("  --reason R       why (required)\n"
	 "  --ground G       the ground (第十七条): confidentiality (泄密), favouritism\n"
	 "                   (徇私舞弊), non_participation (长期不参加委派任务), other,\n"
	 "                   or one the Center configured (expertctl pool grounds)\n"
	 "  --referral TEXT  the referral to the judicial organs (移送司法机关), if any\n")},
	{"pool", "grounds", cmd_pool_grounds, "",
	 N_("List the grounds a suspension or revocation may name (第十七条): the\n"
	 "built-in ones and those the Center configured in expertd's settings."),
	 NULL},
	{"appointment", "review", cmd_appointment_review, "ID --opinion TEXT",
	 N_("Record the qualification review (资格审查, 第十六条) of a recommended\n"
	 "expert: it is then under review."),
	 N_("  --opinion TEXT   the review's opinion (required)\n")},
	{"appointment", "decide", cmd_appointment_decide,
	 "ID {--appoint --certificate NO --certificate-date YYYY-MM-DD | --reject}\n"
	 "      --opinion TEXT",
	 N_("Appoint an expert under review, with the 聘书's number and date, or\n"
	 "reject them (第十六条). Only appointed experts are drawn."),
	 N_("  --appoint        appoint (needs --certificate and --certificate-date)\n"
	 "  --reject         reject\n"
	 "  --certificate NO  the 聘书's number\n"
	 "  --certificate-date DATE  the 聘书's date\n"
	 "  --opinion TEXT   the Center's opinion (required)\n")},
	{"pool", "unavailable", cmd_pool_unavailable,
	 "ID --from YYYY-MM-DD --to YYYY-MM-DD --reason R",
	 N_("Record a period in which an expert cannot serve (operators, clerks): draws\n"
	 "on any of its days skip the expert, and nothing counts against them."),
	 N_("  --from DATE      first day (required)\n"
	 "  --to DATE        last day, included (required; under 366 days)\n"
	 "  --reason R       why (required; kept in the history, not the log)\n")},
	{"pool", "unavailable-withdraw", cmd_pool_unavailable_withdraw,
	 "PERIOD --reason R [--from YYYY-MM-DD] [--to YYYY-MM-DD]",
	 N_("Withdraw a period of unavailability, or shorten it (operators, clerks):\n"
	 "draws on the days freed may draw the expert again. PERIOD is the period's\n"
	 "number, as pool unavailable and the expert's history give it. Without\n"
	 "--from and --to the whole period is withdrawn; with them, what is left of it\n"
	 "(within its days). A period that has ended stays as it was."),
	 N_("  --reason R       why (required; kept in the history)\n"
	 "  --from DATE      the period's new first day\n"
	 "  --to DATE        the period's new last day, included\n")},
	{"conflict", "add", cmd_conflict_add,
	 "ID --org ORG --kind K [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--reason R]",
	 N_("Declare a conflict of interest between an expert and an organisation."),
	 N_("  --org ORG        the organisation: its name, credit code or key (required)\n"
	 "  --kind K         former_employer, relative, interest or other (required)\n"
	 "  --from DATE      first day the conflict applies\n"
	 "  --to DATE        last day the conflict applies\n"
	 "  --reason R       details\n")},
	{"conflict", "list", cmd_conflict_list, "[--expert ID] [--org ORG]",
	 N_("List declared conflicts."),
	 N_("  --expert ID      only this expert's\n"
	 "  --org ORG        only those with this organisation (name, code or key)\n")},
	{"org", "list", cmd_org_list, "[--query TEXT] [--offset N] [--limit N]",
	 N_("List registered organisations (employers, recommenders, institutions)."),
	 N_("  --query TEXT     only those with a name containing TEXT (as matched:\n"
	 "                   brackets, spaces and a 广州市 prefix do not matter)\n"
	 "  --offset N       skip the first N matches\n"
	 "  --limit N        show at most N (1 to 1000; default 100)\n")},
	{"org", "show", cmd_org_show, "ORG",
	 N_("Show one organisation: names, code, kinds, experts linked to it.\n"
	 "ORG is a name, a unified social credit code or a key (org:17)."), NULL},
	{"org", "add", cmd_org_add, "NAME [--code CODE] [--kind K]...",
	 N_("Register an organisation, such as an institution to be reviewed."),
	 N_("  --code CODE      its unified social credit code\n"
	 "  --kind K         employer, recommender, training_institution,\n"
	 "                   evaluation_institution or other (repeatable)\n")},
	{"org", "alias", cmd_org_alias, "ORG NAME",
	 N_("Record another name an organisation is known by."), NULL},
	{"org", "code", cmd_org_code, "ORG CODE",
	 N_("Set or correct an organisation's unified social credit code."), NULL},
	{"org", "merge", cmd_org_merge, "FROM INTO --reason R",
	 N_("Merge two entries that are one organisation: FROM's names, code,\n"
	 "experts, conflicts and tasks go to INTO (audited)."),
	 N_("  --reason R       why they are one organisation (required)\n")},
	{"draw", NULL, cmd_draw,
	 "--kind K {--specialty S --members N | --quota Q --quota Q...} --start TIME "
	 "--end TIME [options]",
	 N_("Draw a panel at random from the experts recusal allows (第十九条).\n"
	 "TIME is \"YYYY-MM-DD HH:MM\" (or with a T) in Beijing time, or unix seconds."),
	 N_("  --kind K         review, inspection, competition, training or other (required)\n"
	 "  --subject S      training (default), evaluation or standards\n"
	 "  --specialty S    the specialty (occupation) to draw from (required, or --quota)\n"
	 "  --group-type G   training_review, skill_evaluation or methods\n"
	 "                   (default: from the kind and subject)\n"
	 "  --members N      members besides the leader, 1 to 30 (required, or --quota)\n"
	 "  --leader         also draw a group leader (drawn first)\n"
	 "  --leader-expert ID  name the leader instead of drawing one (operators;\n"
	 "                   implies --leader; 第七条): the expert must be a leader-\n"
	 "                   eligible candidate, else the draw is refused naming the rule\n"
	 "  --leader-reason TEXT  why this leader (required with --leader-expert;\n"
	 "                   kept in the transcript)\n"
	 "  --backups N      backups, 0 to 19 (default 0)\n"
	 "  --quota S:N[:G[:B]]  one quota of a mixed panel, given 2 to 4 times instead\n"
	 "                   of --specialty, --group-type, --members and --backups:\n"
	 "                   N members and B backups (default 0) of specialty S in\n"
	 "                   group type G (培训评审, 技能评价, 方式方法, or as above;\n"
	 "                   default from the kind and subject); 30 members and 19\n"
	 "                   backups at most in all; --leader draws one leader, from\n"
	 "                   the first quota (never named: no --leader-expert)\n"
	 "  --org ORG        an organisation concerned: its name, credit code or key;\n"
	 "                   repeatable, up to 8; required for a review or inspection\n"
	 "                   of a training or evaluation institution\n"
	 "  --start TIME     when the task starts (required; in the future)\n"
	 "  --end TIME       when it ends (required; after the start)\n"
	 "  --district D     the task's district\n"
	 "  --exclude ID     never draw this expert; repeatable, up to 64\n"
	 "  --note TEXT      free text kept with the task (not in the transcript)\n"
	 "  --nonce STR      your contribution to the seed, 16 to 64 characters (default:\n"
	 "                   32 random hex characters; derived from --request-id if given,\n"
	 "                   so a rerun repeats the request)\n"
	 "  --bureau CODE    the bureau the task is for (operators; default center)\n"
	 "  --respond-within SECONDS  how long each offered expert has to answer\n"
	 "                   (default: the daemon's [assign] response_hours; never past\n"
	 "                   the start); below [assign] min_response_minutes only for\n"
	 "                   operators, with --respond-reason TEXT, and then expiries\n"
	 "                   do not count against the experts\n"
	 "Each offered seat's one-time token is printed once (JSON: \"tokens\" by\n"
	 "assignment id); expertd keeps only a hash of it.\n")},
	{"redraw", NULL, cmd_redraw, "TASK --reason R [--nonce STR]",
	 N_("Draw a task's panel again before it starts (operators); the open seats\n"
	 "of the earlier panel are cancelled and the redraw is recorded with the reason.\n"
	 "A designated leader is kept (and checked again); if no longer eligible, the\n"
	 "redraw is refused: cancel the task and draw it again."),
	 N_("  --reason R       why (required; kept in the transcript)\n"
	 "  --nonce STR      your contribution to the seed (default as for draw)\n")},
	{"task", "show", cmd_task_show, "TASK",
	 N_("Show a task with its fill state, seats and answer deadlines, every seat's\n"
	 "history and the task's draws; times in Beijing time (CST)."), NULL},
	{"task", "list", cmd_task_list, "[--bureau B] [--offset N] [--limit N]",
	 N_("List tasks, newest first. A bureau sees only its own."),
	 N_("  --bureau B       only this bureau's tasks (operators)\n"
	 "  --offset N       skip the first N\n"
	 "  --limit N        show at most N (1 to 1000)\n")},
	{"task", "cancel", cmd_task_cancel, "TASK --reason TEXT",
	 N_("Cancel a task: its open seats are cancelled (never counted against the\n"
	 "experts) and their tokens die."),
	 N_("  --reason TEXT    why (required; kept in the audit log)\n")},
	{"task", "attendance", cmd_task_attendance,
	 "TASK ASSIGNMENT=completed|no_show ...",
	 N_("After a task has started, record who took part: each accepted seat is\n"
	 "completed or no_show (a no-show counts against the expert)."), NULL},
	{"confirm", NULL, cmd_confirm, "TOKEN [--answer-endpoint EP]",
	 N_("An expert accepts the seat a token was issued for, on the answer endpoint.\n"
	 "No allowlisted key is needed: with --server-key and no --key, this run\n"
	 "makes a CURVE key pair of its own."),
	 N_("  --answer-endpoint EP  the answer endpoint (env EXPERTD_ANSWER_ENDPOINT;\n"
	 "                   default: the request endpoint's tcp port + 2, e.g.\n"
	 "                   tcp://127.0.0.1:5572; required for ipc:// endpoints)\n")},
	{"decline", NULL, cmd_decline,
	 "TOKEN --reason R [--note TEXT] [--org CODE] [--answer-endpoint EP]",
	 N_("An expert declines the seat a token was issued for, on the answer endpoint\n"
	 "(keys as for confirm). The seat is filled from the backups or a new draw."),
	 N_("  --reason R       conflict, illness, official_duty, schedule or other\n"
	 "                   (required; conflict also records the conflict)\n"
	 "  --note TEXT      free text (required with other)\n"
	 "  --org CODE       with conflict: which organisation of the task (code or key)\n"
	 "                   (default: the task's only one)\n"
	 "  --answer-endpoint EP  as for confirm\n")},
	{"unavailable", NULL, cmd_unavailable,
	 "TOKEN --from YYYY-MM-DD --to YYYY-MM-DD [--reason R] [--answer-endpoint EP]",
	 N_("An expert says, with the token of a seat offered to them, that they cannot\n"
	 "serve from one day to another (keys as for confirm); draws on those days\n"
	 "skip them, with nothing counted against them. The offered seat is not\n"
	 "answered: confirm or decline it as well."),
	 N_("  --from DATE      first day (required)\n"
	 "  --to DATE        last day, included (required)\n"
	 "  --reason R       why (optional)\n"
	 "  --answer-endpoint EP  as for confirm\n")},
	{"answer", NULL, cmd_answer,
	 "ASSIGNMENT accept|decline|withdraw --channel C [--reason R] [--note TEXT] [--org CODE]",
	 N_("Record an expert's answer on their behalf (staff: operators, or the task's\n"
	 "bureau and clerks), e.g. after a phone call; withdraw gives up an accepted seat."),
	 N_("  --channel C      how the expert answered: phone, sms, email, in_person or\n"
	 "                   other (required)\n"
	 "  --reason R       conflict, illness, official_duty, schedule or other\n"
	 "                   (required to decline or withdraw)\n"
	 "  --note TEXT      free text (required with other)\n"
	 "  --org CODE       with conflict: which organisation of the task (code or key)\n")},
	{"reissue", NULL, cmd_reissue, "ASSIGNMENT --reason TEXT",
	 N_("Issue a new one-time token for an offered seat whose token never reached\n"
	 "the expert (staff, as for answer). The old token dies at once, the\n"
	 "deadline stays, the gateway is sent the new one; it is shown here once."),
	 N_("  --reason TEXT    why, e.g. \"sms lost\" (required; kept in the audit log)\n")},
	{"seat", "correct", cmd_seat_correct,
	 "ASSIGNMENT --attendance A | [--answer A] [--decline-reason R] --reason TEXT",
	 N_("Correct a settled seat's recorded outcome (operators): its attendance\n"
	 "(completed or no_show); a decline or withdrawal as the other, or with\n"
	 "another reason; or a decline as an acceptance, while its place on the panel\n"
	 "is still empty. The seat's history, the expert's history and the audit log\n"
	 "keep both outcomes; the decline ledger follows, as if the right outcome had\n"
	 "been recorded: a flag the corrected ledger would never have set is lifted."),
	 N_("  --attendance A   completed or no_show: what the expert in fact did\n"
	 "  --answer A       accept, decline or withdraw: what the expert in fact\n"
	 "                   answered (a declined or withdrawn seat)\n"
	 "  --decline-reason R  illness, official_duty, schedule or other (default:\n"
	 "                   the reason recorded; a decline for or to conflict is not\n"
	 "                   corrected: its conflict of interest stays recorded)\n"
	 "  --reason TEXT    why the record was wrong (required; kept in the audit log)\n")},
	{"flagged", NULL, cmd_flagged, "",
	 N_("List the experts flagged by the decline ledger (第十七条), with their ledgers."),
	 NULL},
	{"stats", NULL, cmd_stats, "[--top N]",
	 N_("Statistics (operators): the pool by status and specialty, tasks by fill\n"
	 "state, seats by state, decline and expiry rates, and the most-drawn experts\n"
	 "against the seats uniform draws would have given them."),
	 N_("  --top N          most-drawn experts to list, 1 to 100 (default 10)\n")},
	{"catalog", "import", cmd_catalog_import, "FILE [--encoding auto|utf8|gb18030]",
	 N_("Add or update occupations of the catalogue (operators) from a CSV list with\n"
	 "the columns 工种 (name, required), 职业编码 (code), 别名 (aliases, separated\n"
	 "as in rosters: 、 or |) and 专家组类型 (group_types: 培训评审, 技能评价,\n"
	 "方式方法). All or nothing: a name or alias another occupation already has\n"
	 "refuses the whole list, naming its line and column."),
	 N_("  --encoding E     auto (default), utf8 or gb18030 (gbk is accepted)\n")},
	{"catalog", "list", cmd_catalog_list, "[--json]",
	 N_("List the occupation catalogue: names, codes, aliases, group types and, per\n"
	 "group type, how many active experts hold each (counts only)."),
	 N_("  --json           print the list as JSON (as the global --json does)\n")},
	{"pool", "export", cmd_pool_export,
	 "[--reveal --reason R] [--status S] [--english] [--encoding utf8|gb18030]\n"
	 "      [--xlsx FILE]",
	 N_("Write the roster as a CSV file that pool import reads back (the form's\n"
	 "Chinese headers and values; --english for the wire names). Without --reveal\n"
	 "ID numbers, phones and e-mails are masked, and such a file cannot be\n"
	 "imported again. With --reveal (operators) they are written in full, and each\n"
	 "page is recorded: a history event per expert and an audit log entry naming\n"
	 "you and the reason. Age exceptions are not in the file: give them again\n"
	 "with pool import --age-exception."),
	 N_("  --reveal         full ID numbers, phones and e-mails (audited)\n"
	 "  --reason R       why (required with --reveal; recorded)\n"
	 "  --status S       only experts with this status\n"
	 "  --english        headers and values as the wire names them\n"
	 "  --encoding E     utf8 (default; with a BOM, as Excel writes it) or gb18030\n"
	 "  --xlsx FILE      write an Excel workbook instead of CSV on stdout\n")},
	{"term", "publicity", cmd_term_publicity, "N [--csv | --xlsx FILE] [--encoding E]",
	 N_("The public notice (公示) list of term N: every expert serving in it but the\n"
	 "revoked, with name, sex, employer, specialties, group types, title and\n"
	 "qualification; no personal identifiers."),
	 N_("  --csv            CSV on stdout instead of a table\n"
	 "  --xlsx FILE      write an Excel workbook\n"
	 "  --encoding E     of the CSV: utf8 (default, with a BOM) or gb18030\n")},
	{"task", "sheet", cmd_task_sheet, "TASK [--csv | --xlsx FILE] [--encoding E]",
	 N_("A task's result sheet for printing and signing: the panel, each seat's\n"
	 "answer and attendance, the audit log seq and hash of each draw, and lines\n"
	 "for signatures; times in Beijing time (CST). A bureau sees its own tasks."),
	 N_("  --csv            CSV on stdout instead of a table\n"
	 "  --xlsx FILE      write an Excel workbook\n"
	 "  --encoding E     of the CSV: utf8 (default, with a BOM) or gb18030\n")},
	{"ledger", "work", cmd_ledger_work,
	 "--from YYYY-MM-DD --to YYYY-MM-DD [--bureau B] [--csv | --xlsx FILE]",
	 N_("The work-done ledger (第十八条): completed seats per commissioning bureau\n"
	 "and expert, of the tasks starting in the period. A bureau gets its own."),
	 N_("  --from DATE      first day (required)\n"
	 "  --to DATE        last day, included (required)\n"
	 "  --bureau B       only this bureau's tasks (operators)\n"
	 "  --csv            CSV on stdout instead of a table\n"
	 "  --xlsx FILE      write an Excel workbook\n"
	 "  --encoding E     of the CSV: utf8 (default, with a BOM) or gb18030\n")},
	{"backup", NULL, cmd_backup, "FILE",
	 N_("Copy the running daemon's database into FILE (new, mode 0600), checked\n"
	 "against the hash the daemon announces. Operators only: it holds personal data."),
	 NULL},
	{"audit", "show", cmd_audit_show, "TASK",
	 N_("Print the transcripts of a task's draws readably (JSON with --json)."), NULL},
	{"audit", "verify", cmd_audit_verify,
	 "[--page N] [--receipts DIR] [--sign-key KEY]",
	 N_("Replay the whole audit log: check the hash chain and the commit-reveal\n"
	 "chain, re-run every draw, check that each freed seat is followed by its fill,\n"
	 "and compare each task's draws and seats with it.\n"
	 "Every entry must be under the daemon's signed head, and every receipt kept\n"
	 "in DIR must still hold. Exits 1 naming the first entry that does not match."),
	 N_("  --page N         entries per request, 1 to 1000 (default 1000)\n"
	 "  --receipts DIR   the receipts kept with --receipts (global option)\n"
	 "  --sign-key KEY   the published signing key (its .pub file, or 64 hex);\n"
	 "                   without it, the first receipt's key, else the daemon's\n")},
	{"log", NULL, cmd_log,
	 "[--since SEQ|DURATION] [--limit N] [FILTERS] [--json]",
	 N_("Print the dispatch log (the audit entries) from --since on, one line each\n"
	 "(JSON objects with --json). Expert ids only: names are in `watch` and `pool show`."),
	 N_("  --since SEQ      start at this sequence number (default 1)\n"
	 "  --since DURATION start at the entries of the last 90s, 30m, 2h, 7d ...\n"
	 "  --limit N        print at most N entries (default 100); a hint names the next\n"
	 "FILTERS (all must match):\n"
	 "  --topic T        only entry types starting with T (draw, pool., ...);\n"
	 "                   repeatable: any of them\n"
	 "  --bureau B       only draws (and later task events) of bureau B\n"
	 "  --specialty S    only draws of specialty S and changes to its experts\n"
	 "  --task N         only entries about task N\n"
	 "  --json           one JSON object per line, as the event stream sends them\n")},
	{"watch", NULL, cmd_watch,
	 "[--since SEQ|DURATION] [FILTERS] [--count N] [--wait S] [--pub-endpoint EP]"
	 " [--sign-key KEY] [--notify [--notify-endpoint EP]]",
	 N_("Follow the dispatch log live from the daemon's event endpoint, with masked\n"
	 "expert names; with --since, print the history first and then follow without\n"
	 "a gap or a duplicate. Entries missed live are re-fetched and said on stderr.\n"
	 "Runs until interrupted (SIGINT or SIGTERM: exit 0)."),
	 N_("  --since SEQ|DUR  replay from this sequence number, or the last 2h, 30m ...\n"
	 "  --topic T, --bureau B, --specialty S, --task N   filters, as for `log`\n"
	 "  --json           one JSON object per line, the stream's message bodies\n"
	 "  --count N        exit after printing N entries\n"
	 "  --wait SECONDS   stop after SECONDS (exit 75 if --count was not reached)\n"
	 "  --pub-endpoint EP  the event endpoint (env EXPERTD_PUB_ENDPOINT; default: the\n"
	 "                   request endpoint's tcp port + 1, e.g. tcp://127.0.0.1:5571)\n"
	 "  --sign-key KEY   the published signing key (its .pub file, or 64 hex): check\n"
	 "                   each signed head heard, mark the verified ones, and say a\n"
	 "                   bad one loudly on stderr (then exit 1)\n"
	 "  --notify         follow the notification endpoint instead (notifier keys):\n"
	 "                   one line per notify.offer (with the seat's token) and\n"
	 "                   notify.closed; nothing is stored, so no --since\n"
	 "  --notify-endpoint EP  the notification endpoint (env EXPERTD_NOTIFY_ENDPOINT;\n"
	 "                   default: the request endpoint's tcp port + 3)\n")},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static void main_usage(FILE *f)
{
	fprintf(f, _("usage: expertctl [global options] <command> [args]\n"
	      "\n"
	      "Global options:\n"
	      "  --endpoint EP      daemon endpoint (env EXPERTD_ENDPOINT;\n"
	      "                     default %s)\n"
	      "  --key FILE         this client's CURVE secret key file (env EXPERTCTL_KEY);\n"
	      "                     without one the connection is plain (expertd --insecure)\n"
	      "  --server-key KEY   the daemon's public key, a key file or 40 Z85 characters\n"
	      "                     (env EXPERTD_SERVER_KEY)\n"
	      "  --timeout MS       wait per attempt in milliseconds (default 5000)\n"
	      "  --retries N        resend the same request N more times (default 2)\n"
	      "  --request-id ID    use this request id, so a rerun repeats nothing\n"
	      "  --receipts DIR     keep the signed receipt of every recorded reply in DIR\n"
	      "                     (env EXPERTCTL_RECEIPTS); `audit verify --receipts DIR`\n"
	      "                     later proves the log still holds each one\n"
	      "  --json             print results as JSON\n"
	      "  -h, --help         this help; `expertctl help <command>` for a command\n"
	      "  -V, --version      print the version and exit\n"
	      "\n"
	      "Commands:\n"), CTL_DEFAULT_ENDPOINT);
	for (const struct ctl_cmd *c = ctl_cmds; c->group; c++) {
		char words[64];
		snprintf(words, sizeof words, "%s%s%s", c->group, c->name ? " " : "",
		         c->name ? c->name : "");
		fprintf(f, "  %-18s %s\n", words, c->args);
	}
}

static void main_group_usage(const char *group, FILE *f)
{
	fprintf(f, _("usage: expertctl [global options] %s <command> [args]\n\n"), group);
	for (const struct ctl_cmd *c = ctl_cmds; c->group; c++)
		if (strcmp(c->group, group) == 0)
			fprintf(f, "  %s %-10s %s\n", c->group, c->name, c->args);
}

static bool main_group_exists(const char *group)
{
	for (const struct ctl_cmd *c = ctl_cmds; c->group; c++)
		if (strcmp(c->group, group) == 0)
			return true;
	return false;
}

/* The entry for argv[0] (and argv[1] for two-word commands), or NULL. */
static const struct ctl_cmd *main_find(int argc, char **argv, int *words)
{
	for (const struct ctl_cmd *c = ctl_cmds; c->group; c++) {
		if (strcmp(c->group, argv[0]) != 0)
			continue;
		if (!c->name) {
			*words = 1;
			return c;
		}
		if (argc > 1 && strcmp(c->name, argv[1]) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

enum {
	OPT_ENDPOINT = 256,
	OPT_KEY,
	OPT_SERVER_KEY,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_REQUEST_ID,
	OPT_JSON,
	OPT_RECEIPTS,
};

static const struct option main_opts[] = {
	{"endpoint", required_argument, NULL, OPT_ENDPOINT},
	{"key", required_argument, NULL, OPT_KEY},
	{"server-key", required_argument, NULL, OPT_SERVER_KEY},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"request-id", required_argument, NULL, OPT_REQUEST_ID},
	{"receipts", required_argument, NULL, OPT_RECEIPTS},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static const char *main_env(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

/* A global option's value as an int in [min, max]; exits 2 if it is not. */
static int main_int_opt(const char *opt, const char *s, int min, int max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < min || v > max) {
		fprintf(stderr, _("expertctl: %s must be a whole number from %d to %d\n"), opt,
		        min, max);
		exit(CTL_EXIT_USAGE);
	}
	return (int)v;
}

/* Apply global option c (a main_opts value) with its value arg. */
static void main_apply(struct ctl *ctl, int c, char *arg)
{
	switch (c) {
	case OPT_ENDPOINT: ctl->copt.endpoint = arg; break;
	case OPT_KEY: ctl->copt.secret_key_file = arg; break;
	case OPT_SERVER_KEY: ctl->copt.server_key = arg; break;
	case OPT_TIMEOUT:
		ctl->copt.timeout_ms = main_int_opt("--timeout", arg, 1, 3600000);
		break;
	case OPT_RETRIES:
		ctl->copt.retries = main_int_opt("--retries", arg, 0, 100);
		break;
	case OPT_RECEIPTS: ctl->receipts = arg; break;
	case OPT_REQUEST_ID:
		if (!ctl_request_id_ok(arg)) {
			fprintf(stderr, _("expertctl: --request-id must be 1 to %d printable "
			        "ASCII characters without spaces\n"), PROTO_MAX_ID_LEN);
			exit(CTL_EXIT_USAGE);
		}
		ctl->request_id = arg;
		break;
	case OPT_JSON: ctl->json = true; ctl_i18n_off(); break;
	default: break;
	}
}

/*
 * Global options after the command words ("expertctl pool list --json
 * --endpoint X"): applied as if given first, and taken out of argv so the
 * command's own parser never sees them. Up to a "--". Not --receipts,
 * which `audit verify` takes as its own (the directory to read). Returns
 * the new argc.
 */
static int main_late_options(struct ctl *ctl, int argc, char **argv)
{
	int out = 0;
	bool done = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		done = done || strcmp(a, "--") == 0;
		const struct option *o = NULL;
		size_t len = 0;
		for (const struct option *m = main_opts; !done && m->name && !o; m++) {
			len = strlen(m->name);
			if (m->val >= OPT_ENDPOINT && m->val != OPT_RECEIPTS &&
			    strncmp(a, "--", 2) == 0 &&
			    strncmp(a + 2, m->name, len) == 0 &&
			    (a[2 + len] == '\0' || (a[2 + len] == '=' && m->has_arg)))
				o = m;
		}
		if (!o) {
			argv[out++] = argv[i];
			continue;
		}
		char *val = NULL;
		if (o->has_arg && a[2 + len] == '=') {
			val = argv[i] + 3 + len;
		} else if (o->has_arg) {
			if (i + 1 >= argc) {
				fprintf(stderr, _("expertctl: option %s needs a value\n"), a);
				exit(CTL_EXIT_USAGE);
			}
			val = argv[++i];
		}
		main_apply(ctl, o->val, val);
	}
	argv[out] = NULL;
	return out;
}

/* Parse the global options into ctl; returns the index of the command. */
static int main_options(struct ctl *ctl, int argc, char **argv)
{
	ctl->copt.endpoint = main_env("EXPERTD_ENDPOINT");
	ctl->copt.secret_key_file = main_env("EXPERTCTL_KEY");
	ctl->copt.server_key = main_env("EXPERTD_SERVER_KEY");
	ctl->receipts = main_env("EXPERTCTL_RECEIPTS");
	ctl->copt.timeout_ms = 5000;
	ctl->copt.retries = 2;
	if (!ctl->copt.endpoint)
		ctl->copt.endpoint = CTL_DEFAULT_ENDPOINT;
	int c;
	opterr = 0;
	/* '+': stop at the command word; the rest belongs to the command. */
	while ((c = getopt_long(argc, argv, "+:hV", main_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ENDPOINT: case OPT_KEY: case OPT_SERVER_KEY: case OPT_TIMEOUT:
		case OPT_RETRIES: case OPT_RECEIPTS: case OPT_REQUEST_ID: case OPT_JSON:
			main_apply(ctl, c, optarg);
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		case 'V':
			printf(_("expertctl %s\n"), EXPERTCTL_VERSION);
			exit(0);
		case ':':
			fprintf(stderr, _("expertctl: option %s needs a value\n"), argv[optind - 1]);
			exit(CTL_EXIT_USAGE);
		default:
			fprintf(stderr, _("expertctl: unknown option %s\n"), argv[optind - 1]);
			main_usage(stderr);
			exit(CTL_EXIT_USAGE);
		}
	}
	return optind;
}

/* expertctl help [GROUP [NAME]]: the same text as --help, on stdout. */
static int main_help(struct ctl *ctl, int argc, char **argv)
{
	int words = 0;
	if (argc == 0) {
		main_usage(stdout);
		return 0;
	}
	const struct ctl_cmd *cmd = main_find(argc, argv, &words);
	if (cmd && words == argc) {
		ctl->cmd = cmd;
		return ctl_help(ctl);
	}
	if (argc == 1 && main_group_exists(argv[0])) {
		main_group_usage(argv[0], stdout);
		return 0;
	}
	fprintf(stderr, _("expertctl: help: no command \"%s%s%s\"\n"), argv[0],
	        argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	main_usage(stderr);
	return CTL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct ctl ctl = {0};
	ctl.zh = ctl_i18n_init();
	int at = main_options(&ctl, argc, argv);
	if (at >= argc) {
		main_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (strcmp(argv[at], "help") == 0)
		return main_help(&ctl, argc - at - 1, argv + at + 1);
	int words = 0;
	const struct ctl_cmd *cmd = main_find(argc - at, argv + at, &words);
	if (!cmd) {
		const char *group = argv[at];
		if (!main_group_exists(group)) {
			fprintf(stderr, _("expertctl: unknown command \"%s\"\n"), group);
			main_usage(stderr);
			return CTL_EXIT_USAGE;
		}
		if (at + 1 < argc &&
		    (strcmp(argv[at + 1], "--help") == 0 || strcmp(argv[at + 1], "-h") == 0)) {
			main_group_usage(group, stdout);
			return 0;
		}
		if (at + 1 < argc)
			fprintf(stderr, _("expertctl: unknown command \"%s %s\"\n"), group,
			        argv[at + 1]);
		main_group_usage(group, stderr);
		return CTL_EXIT_USAGE;
	}
	ctl.cmd = cmd;
	int cargc = 1 + main_late_options(&ctl, argc - at - words, argv + at + words);
	optind = 0; /* glibc: a full reset, for the command's own getopt */
	int rc = cmd->run(&ctl, cargc, argv + at + words - 1);
	client_destroy(&ctl.client);
	return rc;
}
