import { describe, expect, it } from 'vitest';
import { check, type Actor, type MeetingFacts } from '../../src/accounts/policy.ts';

const meeting = (actorRole: MeetingFacts['actorRole'] = null): MeetingFacts => ({ id: 'm1', facilitatorPersonId: 'fac', secretaryPersonId: 'sec', actorRole });
const account = (role: 'admin' | 'facilitator' | 'member' | 'observer', personId = 'p'): Actor => ({ kind: 'account', personId, role, displayName: 'x' });
const guest = (meetingId: string): Actor => ({ kind: 'guest', personId: 'g', meetingId, displayName: 'g' });

describe('the policy', () => {
  it('when the secretary of a meeting is a facilitator account, then they may run it too (the hand-over of design.md §2)', () => {
    expect(check(account('facilitator', 'sec'), { type: 'meeting.facilitate', meeting: meeting() })).toBeNull();
    expect(check(account('facilitator', 'someone-else'), { type: 'meeting.facilitate', meeting: meeting() })).toBe('forbidden');
  });

  it('when a member was made facilitator of a meeting but lost the facilitator role, then they may no longer run it', () => {
    expect(check(account('member', 'fac'), { type: 'meeting.facilitate', meeting: meeting('facilitator') })).toBe('forbidden');
  });

  it('when an observer account or an observer member is in the meeting, then it may not take a turn', () => {
    expect(check(account('observer'), { type: 'meeting.participate', meeting: meeting('participant') })).toBe('forbidden');
    expect(check(account('member'), { type: 'meeting.participate', meeting: meeting('observer') })).toBe('forbidden');
    expect(check(account('member'), { type: 'meeting.participate', meeting: meeting('participant') })).toBeNull();
  });

  it('when a guest acts, then only in their own meeting, and other meetings do not exist for them', () => {
    expect(check(guest('m1'), { type: 'meeting.participate', meeting: meeting('participant') })).toBeNull();
    expect(check(guest('m2'), { type: 'meeting.participate', meeting: meeting('participant') })).toBe('not_found');
    expect(check(guest('m1'), { type: 'meeting.facilitate', meeting: meeting('participant') })).toBe('forbidden');
    expect(check(guest('m1'), { type: 'register.read' })).toBe('forbidden');
  });

  it('when someone puts an item on the agenda, then they are an account that joined the séance, or who runs it; never a guest nor an observer', () => {
    const propose = (actor: Actor, role: MeetingFacts['actorRole']) => check(actor, { type: 'meeting.propose', meeting: meeting(role) });
    expect(propose(account('member'), 'participant')).toBeNull();
    expect(propose(account('member'), null)).toBe('forbidden');
    expect(propose(account('member'), 'observer')).toBe('forbidden');
    expect(propose(account('observer'), 'participant')).toBe('forbidden');
    expect(propose(account('facilitator', 'fac'), null)).toBeNull();
    expect(propose(account('admin'), null)).toBeNull();
    expect(propose(guest('m1'), 'participant')).toBe('forbidden');
    expect(propose(guest('m2'), 'participant')).toBe('not_found');
    expect(propose({ kind: 'anonymous' }, null)).toBe('unauthenticated');
  });

  it('when nobody is signed in, then every action asks to sign in first', () => {
    for (const type of ['accounts.manage', 'circles.manage', 'meetings.list', 'meeting.create', 'register.read'] as const) {
      expect(check({ kind: 'anonymous' }, { type })).toBe('unauthenticated');
    }
    expect(check({ kind: 'anonymous' }, { type: 'meeting.view', meeting: meeting() })).toBe('unauthenticated');
  });
});
