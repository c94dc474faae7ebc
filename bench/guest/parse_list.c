/*
 * parse_list.c - an integer workload of another shape than cpu_bound.c:
 * a byte-at-a-time tokenizer for "name=value;" records (a table of
 * character classes, a switch on the parser's state, decimal numbers and
 * FNV-1a hashes of names), then pointer chasing through a linked list
 * whose nodes are scattered over memory, unlinked and relinked as it
 * goes.  Branchy, load-heavy, short basic blocks.  REPS times.
 * Freestanding: no libc.  Returns a checksum (in x1 at power-off).
 */
#include <stdint.h>

#ifndef REPS
#define REPS 1
#endif

#define TEXT_SIZE 8192
#define NODES 2048

enum cclass { C_OTHER, C_LETTER, C_DIGIT, C_EQ, C_SEMI, C_SPACE };
enum pstate { P_NAME, P_VALUE, P_SKIP };

static uint8_t text[TEXT_SIZE];
static uint8_t cclass[256];

struct node {
	struct node *next;
	uint64_t value;
};
static struct node nodes[NODES];

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void make_text(uint32_t seed)
{
	unsigned i = 0;
	while (i + 24 < TEXT_SIZE) {
		unsigned n = 1 + lcg(&seed) % 8;
		for (unsigned k = 0; k < n; k++)
			text[i++] = (uint8_t)('a' + lcg(&seed) % 26);
		text[i++] = '=';
		n = 1 + lcg(&seed) % 9;
		for (unsigned k = 0; k < n; k++)
			text[i++] = (uint8_t)('0' + lcg(&seed) % 10);
		text[i++] = (lcg(&seed) & 7) == 0 ? '?' : ';';
		if (lcg(&seed) & 1)
			text[i++] = ' ';
	}
	while (i < TEXT_SIZE)
		text[i++] = ' ';
}

static uint64_t parse(void)
{
	enum pstate st = P_NAME;
	uint32_t hash = 2166136261u;
	uint64_t value = 0, sum = 0;
	for (unsigned i = 0; i < TEXT_SIZE; i++) {
		uint8_t c = text[i];
		switch (st) {
		case P_NAME:
			switch (cclass[c]) {
			case C_LETTER: hash = (hash ^ c) * 16777619u; break;
			case C_EQ: st = P_VALUE; value = 0; break;
			case C_SPACE: break;
			default: st = P_SKIP; break;
			}
			break;
		case P_VALUE:
			switch (cclass[c]) {
			case C_DIGIT: value = value * 10 + (uint64_t)(c - '0'); break;
			case C_SEMI:
				sum += value ^ hash;
				hash = 2166136261u;
				st = P_NAME;
				break;
			default: st = P_SKIP; break;
			}
			break;
		case P_SKIP:
			if (cclass[c] == C_SEMI || cclass[c] == C_SPACE) {
				hash = 2166136261u;
				st = P_NAME;
			}
			break;
		}
	}
	return sum;
}

/* Links the nodes in a shuffled order (so that walking them jumps all
 * over the array), returns the head. */
static struct node *make_list(uint32_t seed)
{
	static uint16_t order[NODES];
	for (unsigned i = 0; i < NODES; i++)
		order[i] = (uint16_t)i;
	for (unsigned i = NODES - 1; i > 0; i--) {
		unsigned j = lcg(&seed) % (i + 1);
		uint16_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned i = 0; i < NODES; i++) {
		nodes[order[i]].value = lcg(&seed);
		nodes[order[i]].next = i + 1 < NODES ? &nodes[order[i + 1]] : 0;
	}
	return &nodes[order[0]];
}

/* Walks the list several times; each pass moves every node whose value
 * is odd to the front. */
static uint64_t churn(struct node *head)
{
	uint64_t sum = 0;
	for (unsigned pass = 0; pass < 4; pass++) {
		struct node *prev = 0, *n = head;
		while (n) {
			struct node *next = n->next;
			sum = sum * 31 + n->value;
			if ((n->value & 1) && prev) {
				prev->next = next;
				n->next = head;
				head = n;
				n->value >>= 1;
			} else {
				prev = n;
			}
			n = next;
		}
	}
	return sum;
}

uint64_t main(void)
{
	for (unsigned c = 0; c < 256; c++)
		cclass[c] = C_OTHER;
	for (unsigned c = 'a'; c <= 'z'; c++)
		cclass[c] = C_LETTER;
	for (unsigned c = '0'; c <= '9'; c++)
		cclass[c] = C_DIGIT;
	cclass['='] = C_EQ;
	cclass[';'] = C_SEMI;
	cclass[' '] = C_SPACE;
	uint64_t check = 0;
	for (unsigned r = 0; r < REPS; r++) {
		make_text(r * 2654435761u);
		check += parse();
		check ^= churn(make_list(r + 1));
	}
	return check;
}
