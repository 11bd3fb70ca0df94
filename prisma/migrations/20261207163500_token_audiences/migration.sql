-- The audiences a token was issued for (a TokenRequest's spec.audiences);
-- empty for a token that names none (audience-agnostic).
-- AlterTable
ALTER TABLE "iam_token" ADD COLUMN     "audiences" TEXT[];
