// Meeting messages: Exchange keeps meeting requests, cancellations and responses in mail folders next to
// plain mail, and Graph lists them in the same collections (and deltas) as derived types of message, each
// with its own @odata.type and a meetingMessageType. Clients that assume every item is a plain message meet
// them here first.
import type { MessageRecord } from './types';

/** Graph's enum, including its own spelling of "tentatively". */
export const MEETING_MESSAGE_TYPES = [
  'meetingRequest',
  'meetingCancelled',
  'meetingAccepted',
  'meetingTenativelyAccepted',
  'meetingDeclined',
] as const;

export type MeetingMessageType = (typeof MEETING_MESSAGE_TYPES)[number];

export interface MeetingInfo {
  messageType: MeetingMessageType;
  startMs: number;
  endMs: number;
  location: string;
  isAllDay: boolean;
}

/** Requests and responses have their own derived types; a cancellation is a plain eventMessage. */
const ODATA_TYPES: Record<MeetingMessageType, string> = {
  meetingRequest: '#microsoft.graph.eventMessageRequest',
  meetingCancelled: '#microsoft.graph.eventMessage',
  meetingAccepted: '#microsoft.graph.eventMessageResponse',
  meetingTenativelyAccepted: '#microsoft.graph.eventMessageResponse',
  meetingDeclined: '#microsoft.graph.eventMessageResponse',
};

const RESPONSE_TYPES: Partial<Record<MeetingMessageType, string>> = {
  meetingAccepted: 'accepted',
  meetingTenativelyAccepted: 'tentativelyAccepted',
  meetingDeclined: 'declined',
};

export function odataTypeOf(message: MessageRecord): string {
  return message.meeting ? ODATA_TYPES[message.meeting.messageType] : '#microsoft.graph.message';
}

function dateTimeTimeZone(ms: number): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(ms).toISOString().replace('Z', '0000'), timeZone: 'UTC' };
}

/** The eventMessage properties Graph adds to the default property set (none of them are $select-able here). */
export function meetingProperties(meeting: MeetingInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    meetingMessageType: meeting.messageType,
    startDateTime: dateTimeTimeZone(meeting.startMs),
    endDateTime: dateTimeTimeZone(meeting.endMs),
    location: { displayName: meeting.location, locationType: 'default', uniqueIdType: 'unknown' },
    type: 'singleInstance',
    recurrence: null,
    isOutOfDate: false,
    isAllDay: meeting.isAllDay,
    isDelegated: false,
  };
  if (meeting.messageType === 'meetingRequest') {
    Object.assign(out, {
      meetingRequestType: 'newMeetingRequest',
      responseRequested: true,
      allowNewTimeProposals: true,
      previousStartDateTime: null,
      previousEndDateTime: null,
      previousLocation: null,
    });
  }
  const responseType = RESPONSE_TYPES[meeting.messageType];
  if (responseType) Object.assign(out, { responseType, proposedNewTime: null });
  return out;
}
