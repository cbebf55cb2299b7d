import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** Prompts a user can pick in their client; each tells the model which tools to call. */
export function registerSkillsPrompts(server: McpServer): void {
  server.registerPrompt(
    'review_skills_week',
    {
      title: 'Review how my skills did this week',
      description: 'A short review of the last 7 days: busiest skills, what improved or declined, anomalies, and what to change.',
      argsSchema: { skill_name: z.string().optional().describe('Focus on one skill (optional).') },
    },
    ({ skill_name }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              skill_name
                ? `Review how the skill "${skill_name}" did over the last 7 days.`
                : 'Review how my skills did over the last 7 days.',
              'Call get_real_time_metrics with time_window_hours 168 for the busiest skills,',
              skill_name ? `get_skill_trend for "${skill_name}" with days 7,` : 'get_skill_trend with days 7 for the five busiest,',
              'detect_anomalies with time_window_hours 168, and get_skill_dependencies for any skill that declined.',
              'Then write: what went well, what got worse (with the numbers), what broke and when, and one or two concrete changes.',
            ].join(' '),
          },
        },
      ],
    }),
  );
  server.registerPrompt(
    'choose_skill',
    {
      title: 'Choose a skill for a request',
      description: 'Pick the skill most likely to succeed for a request, with reasons.',
      argsSchema: {
        request: z.string().describe('What needs doing, in your words.'),
        workflow_phase: z.string().optional().describe('Phase, if known.'),
      },
    },
    ({ request, workflow_phase }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text:
              `Which skill should I use for: "${request}"${workflow_phase ? ` (phase: ${workflow_phase})` : ''}? ` +
              'Call recommend_skills_for_query, check the top two with predict_skill_success, and answer with the choice and why. ' +
              'After running it, report it with record_skill_invocation.',
          },
        },
      ],
    }),
  );
}
